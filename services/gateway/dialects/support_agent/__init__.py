"""Seed dialect support_agent."""
