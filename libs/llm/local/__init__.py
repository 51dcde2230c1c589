"""Local (no-network) provider: extractive answers, MiniLM embeddings, similarity classification."""
