"""Fixtures of the SDK tests: `stack` (the platform running in one process on a free port)."""

from sdk_stack import stack

__all__ = ["stack"]
