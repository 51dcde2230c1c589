"""Unit tests of libs/llm."""
