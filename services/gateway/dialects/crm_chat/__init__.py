"""Seed dialect crm_chat."""
