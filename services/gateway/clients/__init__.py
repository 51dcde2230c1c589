"""Typed bus clients the gateway routes use to reach each service; one module per service, each call time-bounded."""
