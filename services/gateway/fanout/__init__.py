"""Gateway fan-out: webhook subscriptions, the durable delivery outbox and its worker, and the WebSocket feed."""
