"""Classification by a cloud chat model: text and categories in, a parsed probability map (or None) out."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from libs.llm.types import GenerateRequest

_JSON_OBJECT = re.compile(r"\{.*\}", re.S)

SYSTEM = (
    "You classify customer-service messages. Reply with one JSON object only, mapping every given category "
    "to a probability between 0 and 1; the probabilities sum to 1."
)


def classification_request(model_id: str, text: str, categories: Sequence[str]) -> GenerateRequest:
    prompt = f"Categories: {json.dumps(list(categories))}\nMessage: {json.dumps(text)}"
    return GenerateRequest(prompt=prompt, model_id=model_id, max_tokens=200, temperature=0.0, system_prompt=SYSTEM)


def parse_probabilities(reply: str, categories: Sequence[str]) -> dict[str, float] | None:
    """Normalized probabilities for exactly the given categories, or None when the reply is unusable."""
    match = _JSON_OBJECT.search(reply)
    if match is None:
        return None
    try:
        raw = json.loads(match.group())
    except json.JSONDecodeError:
        return None
    if not isinstance(raw, dict):
        return None
    scores = {}
    for c in categories:
        value = raw.get(c, 0.0)
        scores[c] = max(float(value), 0.0) if isinstance(value, int | float) else 0.0
    total = sum(scores.values())
    if total <= 0:
        return None
    return {c: round(v / total, 4) for c, v in sorted(scores.items(), key=lambda x: -x[1])}
