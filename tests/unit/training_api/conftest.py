"""An in-process platform for training API tests: gateway + training (+ sentiment, for explain/classify) on one
MemoryBus, in-memory stores, the real MiniLM encoder and the training files under tmp_path."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from libs.bus import MemoryBus
from libs.llm import LLMService, LLMSettings
from libs.runtime import PlatformSettings
from libs.store import DocumentStore, open_store
from services.sentiment.bootstrap import bootstrap as bootstrap_sentiment
from services.sentiment.settings import SentimentSettings
from services.training.bootstrap import bootstrap as bootstrap_training
from services.training.settings import TrainingSettings
from services.training.vectors import Encoder
from tests.support.platform import API_KEY, gateway_for_tests, serving

AUTH = {"Authorization": f"Bearer {API_KEY}"}

# Three intents a sentence encoder separates easily: training on them must reach full validation accuracy.
INTENTS = {
    "card_lost": ["I lost my card {}", "my card was stolen {}", "cannot find my bank card {}", "card missing {}"],
    "refund": ["I want my money back {}", "please refund my order {}", "how do I get a refund {}", "return money {}"],
    "password": ["I forgot my password {}", "reset my login password {}", "cannot sign in, password {}",
                 "change my password {}"],
}  # fmt: skip
SUFFIXES = ["", "please", "today", "now", "asap", "urgently", "again"]


def labelled_rows() -> list[tuple[str, str]]:
    return [
        (template.format(suffix).strip(), label)
        for label, templates in INTENTS.items()
        for template in templates
        for suffix in SUFFIXES
    ]


def csv_bytes(rows: list[tuple[str, str]]) -> bytes:
    lines = ["text,label", *(f'"{text}",{label}' for text, label in rows)]
    return ("\n".join(lines) + "\n").encode()


@dataclass
class Platform:
    client: httpx.AsyncClient
    bus: MemoryBus

    async def upload(self, name: str, data: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
        return await self.client.post("/api/v1/ai/datasets", files={"file": (name, data)}, headers=headers or AUTH)

    async def dataset_uri(self, rows: list[tuple[str, str]] | None = None) -> str:
        resp = await self.upload("intents.csv", csv_bytes(rows or labelled_rows()))
        assert resp.status_code == 200, resp.text
        uri: str = resp.json()["data"]["uri"]
        return uri

    async def train(self, uri: str, headers: dict[str, str] | None = None, **overrides: Any) -> httpx.Response:
        body = {"base_model": "customerai-classifier", "training_data_uri": uri,
                "hyperparameters": {"learning_rate": 0.05, "epochs": 5, "batch_size": 8}, **overrides}  # fmt: skip
        return await self.client.post("/api/v1/ai/distributed-training", json=body, headers=headers or AUTH)

    async def wait_job(
        self, job_id: str, statuses: set[str], seconds: float = 60, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        for _ in range(int(seconds / 0.05)):
            resp = await self.client.get(f"/api/v1/ai/training-job/{job_id}", headers=headers or AUTH)
            assert resp.status_code == 200, resp.text
            data: dict[str, Any] = resp.json()["data"]
            if data["status"] in statuses:
                return data
            await asyncio.sleep(0.05)
        raise AssertionError(f"{job_id} never reached {statuses}")

    async def trained_model(self, **overrides: Any) -> str:
        """model_output_uri of a COMPLETED job on the standard intents."""
        started = await self.train(await self.dataset_uri(), **overrides)
        assert started.status_code == 200, started.text
        job = await self.wait_job(started.json()["data"]["job_id"], {"COMPLETED", "FAILED"})
        assert job["status"] == "COMPLETED", job
        return str(job["model_output_uri"])

    async def long_job(self) -> str:
        """Start a job that runs for seconds (5x the rows, batch 1, 100 epochs): long enough to act on mid-run."""
        rows = [(f"{text} ({n})", label) for n in range(5) for text, label in labelled_rows()]
        hyperparameters = {"learning_rate": 0.01, "epochs": 100, "batch_size": 1}
        started = await self.train(await self.dataset_uri(rows), hyperparameters=hyperparameters)
        assert started.status_code == 200, started.text
        job_id: str = started.json()["data"]["job_id"]
        return job_id

    def events(self) -> list[dict[str, Any]]:
        envelopes = [orjson.loads(r.value) for r in self.bus.broker.records("training.events")]
        return [e["data"] for e in envelopes if e["type"] == "training.TrainingProgressed.v1"]

    async def api_key_for(self, tenant_id: str, roles: tuple[str, ...] = ("analyst",)) -> dict[str, str]:
        body = {"name": f"{tenant_id} key", "tenant_id": tenant_id, "roles": list(roles)}
        resp = await self.client.post("/api/v1/api-keys", json=body, headers=AUTH)
        assert resp.status_code == 201, resp.text
        return {"Authorization": f"Bearer {resp.json()['data']['api_key']}"}


PlatformFactory = Callable[..., Awaitable[Platform]]


@pytest.fixture
async def make_platform(tmp_path: Path) -> AsyncIterator[PlatformFactory]:
    async with AsyncExitStack() as running:

        async def make(
            training_store: DocumentStore | None = None, encoder: Encoder | None = None, **overrides: Any
        ) -> Platform:
            common = PlatformSettings(bus="memory", data_dir=tmp_path)
            bus = MemoryBus(service_name="test")
            gateway = gateway_for_tests(common, bus, request_timeout_s=30, batch_timeout_s=60)
            settings = TrainingSettings(platform=common, warm_model_on_start=False, **overrides)
            training = bootstrap_training(
                settings, bus=bus, store=training_store or open_store(database="training"), encoder=encoder
            )
            # explain/classify ask the sentiment service first (built-in models), then the deployed ones.
            llm = LLMService(LLMSettings(openai_api_key=None, anthropic_api_key=None, google_api_key=None))
            running.push_async_callback(llm.aclose)
            sentiment = bootstrap_sentiment(
                SentimentSettings(platform=common, warm_model_on_start=False), bus=bus,
                store=open_store(database="sentiment"), llm=llm,
            )  # fmt: skip
            client = await running.enter_async_context(serving(bus, [sentiment, training, gateway]))
            return Platform(client=client, bus=bus)

        yield make


@pytest.fixture
async def platform(make_platform: PlatformFactory) -> Platform:
    return await make_platform()
