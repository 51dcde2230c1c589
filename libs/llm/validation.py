"""Request validation: generate/embed/classify arguments in, libs.errors.Invalid naming the field out."""

from __future__ import annotations

from collections.abc import Sequence

from libs.errors import Invalid
from libs.llm.registry import ModelSpec, Registry
from libs.llm.types import GenerateRequest

MAX_TEMPERATURE = 2.0


def validate_generate(req: GenerateRequest, registry: Registry, default: ModelSpec) -> ModelSpec:
    """The model whose limits apply (the named one, else the effective default)."""
    if not req.prompt or not req.prompt.strip():
        raise Invalid("Validation error", {"prompt": "Field is required and must not be empty"})
    spec = registry.get(req.model_id) if req.model_id is not None else default
    if not spec.can("text_generation"):
        raise Invalid(
            f"{spec.id} cannot generate text",
            {"model": f"{spec.id} has no text_generation capability", "valid_models": _ids(registry)},
        )
    if isinstance(req.max_tokens, bool) or not isinstance(req.max_tokens, int) or req.max_tokens <= 0:
        raise Invalid("Validation error", {"max_tokens": "must be a positive integer"})
    if req.max_tokens > spec.max_tokens:
        raise Invalid("Validation error", {"max_tokens": f"must be at most {spec.max_tokens} for {spec.id}"})
    if not 0.0 <= float(req.temperature) <= MAX_TEMPERATURE:
        raise Invalid("Validation error", {"temperature": f"must be between 0 and {MAX_TEMPERATURE:g}"})
    if req.sentiment is not None and not -1.0 <= req.sentiment <= 1.0:
        raise Invalid("Validation error", {"sentiment": "must be between -1 and 1"})
    return spec


def validate_embed(texts: Sequence[str], dimensions: int | None) -> None:
    if not texts or any(not isinstance(t, str) or not t.strip() for t in texts):
        raise Invalid("Validation error", {"texts": "must be a non-empty list of non-empty strings"})
    if dimensions is not None and (isinstance(dimensions, bool) or dimensions <= 0):
        raise Invalid("Validation error", {"dimensions": "must be a positive integer"})


def validate_classify(text: str, categories: Sequence[str]) -> None:
    if not text or not text.strip():
        raise Invalid("Validation error", {"text": "Field is required"})
    if len(categories) < 2 or len(set(categories)) != len(categories) or any(not c.strip() for c in categories):
        raise Invalid("Validation error", {"categories": "must list at least two distinct, non-empty categories"})


def _ids(registry: Registry) -> list[str]:
    return [s.id for s in registry.specs if s.can("text_generation")]
