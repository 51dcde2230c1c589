"""The turn pipeline: named steps, each behind a small typed port with one bus-backed implementation."""
