"""Reproducible training of the sentiment service's models: data splits, GPU fine-tuning, CPU fallback heads."""
