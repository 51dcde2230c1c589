"""Model registry: the providers YAML in, validated ModelSpecs and the seed-000 providers listing out."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from libs.errors import Invalid

Capability = Literal["text_generation", "embeddings", "classification"]
ProviderName = Literal["openai", "anthropic", "google", "local"]


class ModelSpec(BaseModel):
    """One registry entry; `id` is what callers name, `model` is what the provider is asked for."""

    model_config = {"frozen": True, "extra": "forbid"}

    id: str = Field(min_length=1)
    provider: ProviderName
    model: str = Field(min_length=1)
    compliance_level: str = "standard"
    capabilities: tuple[Capability, ...] = ("text_generation",)
    tier: Literal["simple", "complex"] = "simple"
    price_per_1k_input: float = Field(default=0.0, ge=0)
    price_per_1k_output: float = Field(default=0.0, ge=0)
    max_tokens: int = Field(default=4096, gt=0)
    is_default: bool = False
    embedding_model: str | None = None
    embedding_dimensions: int | None = Field(default=None, gt=0)

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.price_per_1k_input + completion_tokens * self.price_per_1k_output) / 1000.0

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities


class _RegistryFile(BaseModel):
    models: list[ModelSpec]

    @model_validator(mode="after")
    def _check(self) -> _RegistryFile:
        ids = [m.id for m in self.models]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate model ids: {duplicates}")
        if sum(m.is_default for m in self.models) > 1:
            raise ValueError("more than one model has is_default: true")
        if not any(m.provider == "local" for m in self.models):
            raise ValueError("the registry needs one local model (the no-network default)")
        return self


class Registry:
    """Immutable set of ModelSpec loaded once; availability is asked of a callback (keys live in settings)."""

    def __init__(self, specs: Iterable[ModelSpec]) -> None:
        self._specs = {s.id: s for s in specs}

    @classmethod
    def from_file(cls, path: Path) -> Registry:
        try:
            raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
            return cls(_RegistryFile.model_validate(raw).models)
        except (OSError, yaml.YAMLError, ValidationError, ValueError) as exc:
            raise Invalid("cannot load the model registry", {"providers_file": f"{path}: {exc}"}) from exc

    @property
    def specs(self) -> list[ModelSpec]:
        return list(self._specs.values())

    def ids(self) -> list[str]:
        return list(self._specs)

    def get(self, model_id: str) -> ModelSpec:
        spec = self._specs.get(model_id)
        if spec is None:
            raise Invalid(
                f"unknown model id {model_id!r}",
                {"model": f"unknown model id {model_id!r}", "valid_models": self.ids()},
            )
        return spec

    def find(self, model_id: str) -> ModelSpec | None:
        return self._specs.get(model_id)

    def local(self) -> ModelSpec:
        return next(s for s in self._specs.values() if s.provider == "local")

    def effective_default(self, available: Callable[[ModelSpec], bool]) -> ModelSpec:
        """The configured default when its provider is usable, else the local model."""
        configured = next((s for s in self._specs.values() if s.is_default), None)
        if configured is not None and available(configured):
            return configured
        return self.local()

    def listing(self, available: Callable[[ModelSpec], bool]) -> dict[str, Any]:
        """Seed-000 `ai/providers` data; `is_default` marks the effective default; `available` is extra."""
        default = self.effective_default(available)
        providers = [
            {
                "id": s.id,
                "provider": s.provider,
                "model": s.model,
                "compliance_level": s.compliance_level,
                "capabilities": list(s.capabilities),
                "is_default": s.id == default.id,
                "available": available(s),
            }
            for s in self._specs.values()
        ]
        return {"providers": providers, "default_provider": default.id}
