"""Model routing: a prompt (+ optional model id) in, the ordered fallback chain of usable models out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from libs.llm.complexity import complexity_score
from libs.llm.registry import Capability, ModelSpec, Registry


@dataclass(frozen=True, slots=True)
class Route:
    complexity: float
    tier: str
    chain: tuple[ModelSpec, ...]


class Router:
    """Complexity picks the tier; in a tier the configured default leads; the local model is always last."""

    def __init__(self, registry: Registry, available: Callable[[ModelSpec], bool], threshold: float) -> None:
        self._registry = registry
        self._available = available
        self._threshold = threshold

    def plan(self, prompt: str, model_id: str | None = None, capability: Capability = "text_generation") -> Route:
        score = complexity_score(prompt)
        tier = "complex" if score >= self._threshold else "simple"
        usable = [s for s in self._registry.specs if s.can(capability) and self._available(s)]
        order = {s.id: i for i, s in enumerate(usable)}
        cloud = sorted(
            (s for s in usable if s.provider != "local"),
            key=lambda s: (s.tier != tier, not s.is_default, order[s.id]),
        )
        local = [s for s in usable if s.provider == "local"]
        chain = cloud + local
        if model_id is not None:
            # An explicitly named model leads when usable; without its key it is skipped, never called.
            chain.sort(key=lambda s: s.id != model_id)
        return Route(complexity=score, tier=tier, chain=tuple(chain))
