"""Provider adapters: one per provider SDK plus the shared port."""
