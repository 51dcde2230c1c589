"""Integration tests of libs/llm against fake provider servers."""
