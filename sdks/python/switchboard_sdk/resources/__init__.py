"""One namespace per seed API, each a thin, typed map of its routes."""
