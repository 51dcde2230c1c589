"""Fake OpenAI, Anthropic and Gemini HTTP APIs on 127.0.0.1 for tests: HTTP requests in, canned replies out."""
