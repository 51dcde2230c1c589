"""Seed dialect tiered_cs."""
