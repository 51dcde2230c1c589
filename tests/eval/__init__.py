"""AI-quality evaluation scripts (make eval): read ../shared/data, print tables."""
