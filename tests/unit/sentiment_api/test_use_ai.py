"""POST /api/v1/analyze/sentiment with use_ai: the LLM's satisfaction score and phrases when a cloud provider answers
with usable JSON, and the local analysis with `analysis.source` naming the reason otherwise; the reply parser alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from services.sentiment.ai_analysis import parse_ai_analysis
from tests.unit.sentiment_api.platform import Platform, sentiment_platform
from tests.unit.sentiment_api.scripted import FAIL, SLOW, cloud_settings, script

TEXT = "I'm very happy with your service and prompt response to my query."
GOOD = '{"satisfaction_score": 9, "key_positives": ["prompt response", "service quality"], "key_negatives": []}'


async def _analyze(p: Platform, use_ai: bool = True, text: str = TEXT) -> dict[str, Any]:
    resp = await p.client.post("/api/v1/analyze/sentiment", json={"text": text, "use_ai": use_ai}, headers=p.headers)
    assert resp.status_code == 200, resp.text
    return dict(resp.json()["data"])


async def test_without_a_cloud_provider_the_local_analysis_answers_and_says_why(platform: Platform) -> None:
    data = await _analyze(platform)
    assert data["sentiment"] == "positive" and 1 <= data["analysis"]["satisfaction_score"] <= 10
    assert data["analysis"]["key_positives"]
    assert data["analysis"]["source"] == "local_fallback: no AI provider configured"
    assert (await _analyze(platform, use_ai=False))["analysis"]["source"] == "local"


async def test_a_cloud_provider_writes_the_richer_analysis(tmp_path: Path) -> None:
    async with sentiment_platform(tmp_path, cloud_settings(tmp_path)) as p:
        scripted = await script(p.llm, f"Here is the analysis:\n```json\n{GOOD}\n```")
        data = await _analyze(p)
        local = await _analyze(p, use_ai=False)
    analysis = data["analysis"]
    assert analysis["source"] == "gpt4o_financial"
    assert (analysis["satisfaction_score"], analysis["key_positives"], analysis["key_negatives"]) == (
        9,
        ["prompt response", "service quality"],
        [],
    )
    # Label and probabilities stay the local model's, whoever wrote the analysis.
    assert {k: data[k] for k in ("sentiment", "positive", "negative", "neutral")} == {
        k: local[k] for k in ("sentiment", "positive", "negative", "neutral")
    }
    assert len(scripted.requests) == 1 and TEXT in scripted.requests[0].prompt
    assert scripted.requests[0].system_prompt and "JSON" in scripted.requests[0].system_prompt


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("Thanks for your question. The customer seems happy.", "unparseable reply"),
        ('{"satisfaction_score": "very high"}', "unparseable reply"),
        (FAIL, "provider unavailable"),
        (SLOW, "timeout"),
    ],
)
async def test_a_failed_or_unusable_ai_answer_falls_back_to_the_local_analysis(
    tmp_path: Path, reply: object, reason: str
) -> None:
    async with sentiment_platform(tmp_path, cloud_settings(tmp_path), ai_timeout_s=0.5) as p:
        await script(p.llm, reply)
        data = await _analyze(p)
        local = await _analyze(p, use_ai=False)
    assert data["analysis"]["source"] == f"local_fallback: {reason}"
    for key in ("satisfaction_score", "key_positives", "key_negatives"):
        assert data["analysis"][key] == local["analysis"][key]


async def test_use_ai_false_never_calls_the_provider(tmp_path: Path) -> None:
    async with sentiment_platform(tmp_path, cloud_settings(tmp_path)) as p:
        scripted = await script(p.llm, GOOD)
        await _analyze(p, use_ai=False)
        batch = {"conversations": [{"id": "a", "text": TEXT}, {"id": "b", "text": "Awful."}]}
        resp = await p.client.post("/api/v1/analyze/batch", json=batch, headers=p.headers)
    assert resp.status_code == 200 and scripted.requests == []


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (GOOD, (9, ["prompt response", "service quality"], [])),
        (f"```json\n{GOOD}\n```", (9, ["prompt response", "service quality"], [])),
        (f"Sure! {GOOD} Hope this helps {{not json}}", (9, ["prompt response", "service quality"], [])),
        ('{"note": "first"} then {"satisfaction_score": 4, "key_negatives": ["slow"]}', (4, [], ["slow"])),
        (
            '{"satisfaction_score": "7", "key_positives": ["  fast   reply ", 3, "", "fast reply"]}',
            (7, ["fast reply"], []),
        ),
        ('{"satisfaction_score": 0}', (1, [], [])),
        ('{"satisfaction_score": 7.6, "key_positives": "not a list"}', (8, [], [])),
        ('{"satisfaction_score": 11}', None),
        ('{"satisfaction_score": true}', None),
        ('{"satisfaction_score": NaN}', None),
        ('{"satisfaction_score": 9', None),
        ("[9, 8]", None),
        ("", None),
        ("{" * 5000, None),
    ],
)
def test_parser_takes_the_first_usable_json_object(reply: str, expected: object) -> None:
    assert parse_ai_analysis(reply) == expected


def test_parser_caps_phrases() -> None:
    phrases = json.dumps([f"p{i}" for i in range(9)])
    parsed = parse_ai_analysis(f'{{"satisfaction_score": 5, "key_positives": {phrases}}}')
    assert parsed is not None and parsed[1] == ["p0", "p1", "p2", "p3", "p4"]
