"""Pydantic models generated from contracts/ by libs.contracts.generate (one module per domain)."""
