"""Makes `switchboard_sdk` importable from this folder (pytest puts a rootless conftest's folder on sys.path)."""
