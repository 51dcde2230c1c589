"""Escalation service: policy, tickets, per-company CS config and human review."""
