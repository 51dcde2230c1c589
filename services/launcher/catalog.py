"""Which services exist and how to build each one (settings class + bootstrap), found by the folder convention."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Start order: the gateway last, so that it finds the services it calls already consuming.
ORDER = ("privacy", "sentiment", "rag", "escalation", "conversation", "analytics", "training", "gateway")
SERVICES_DIR = Path(__file__).resolve().parents[1]


def available_services() -> list[str]:
    """Services whose package is complete enough to run (it has a __main__.py)."""
    return [name for name in ORDER if (SERVICES_DIR / name / "__main__.py").exists()]


def settings_class(name: str) -> type[Any]:
    module = importlib.import_module(f"services.{name}.settings")
    cls: type[Any] = getattr(module, f"{name.capitalize()}Settings")
    return cls


def bootstrap_function(name: str) -> Callable[..., Any]:
    module = importlib.import_module(f"services.{name}.bootstrap")
    fn: Callable[..., Any] = module.bootstrap
    return fn
