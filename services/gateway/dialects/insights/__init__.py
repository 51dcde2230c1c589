"""Seed dialect insights."""
