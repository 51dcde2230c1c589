"""Seed dialect kb_platform."""
