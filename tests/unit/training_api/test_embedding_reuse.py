"""A job's texts go through the encoder once per tenant: a dataset that shares rows with one the tenant trained on
before reuses those rows' vectors (the real MiniLM encoder, counted as it is called), another tenant's do not."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from libs.embeddings import get_encoder
from tests.unit.training_api.conftest import Platform, PlatformFactory, csv_bytes, labelled_rows


class CountingEncoder:
    """The platform encoder, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        self._inner = get_encoder()
        self.dim, self.model_id = self._inner.dim, self._inner.model_id
        self.texts = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += len(texts)
        return self._inner.encode(texts)


async def trained(
    platform: Platform, rows: list[tuple[str, str]], headers: dict[str, str] | None = None
) -> dict[str, Any]:
    resp = await platform.upload("rows.csv", csv_bytes(rows), headers=headers)
    assert resp.status_code == 200, resp.text
    started = await platform.train(resp.json()["data"]["uri"], headers=headers)
    assert started.status_code == 200, started.text
    job = await platform.wait_job(started.json()["data"]["job_id"], {"COMPLETED", "FAILED"}, headers=headers)
    assert job["status"] == "COMPLETED", job
    return job


async def test_a_tenants_next_dataset_embeds_only_its_new_texts(make_platform: PlatformFactory) -> None:
    encoder = CountingEncoder()
    platform = await make_platform(encoder=encoder)
    rows = labelled_rows()
    first = await trained(platform, rows)
    assert encoder.texts == len(rows)
    added = [("my debit card is gone", "card_lost"), ("refund the shoes", "refund"), ("new password", "password")]
    second = await trained(platform, rows + added)
    assert encoder.texts == len(rows) + len(added)  # only the three new texts went through the encoder
    # The reused vectors are the encoder's own: both jobs measure the same validation accuracy on the same rows.
    assert first["model_card"]["metrics"]["accuracy"] == second["model_card"]["metrics"]["accuracy"] == 1.0
    # Another tenant's dataset with the same rows and one of its own is embedded in full: no reuse across tenants.
    other = await platform.api_key_for("globex")
    await trained(platform, [*rows, ("lost card in the taxi", "card_lost")], headers=other)
    assert encoder.texts == 2 * len(rows) + len(added) + 1
