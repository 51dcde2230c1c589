"""python -m services.training --serve NAME: the model server a `deployment_strategy: kubernetes` Deployment runs
(kubernetes.deployment_manifests). Loads the version SWITCHBOARD_TRAINING_SERVE_MODEL_URI names from the job exchange
(published there by the training service before it applied the Deployment) and the platform's MiniLM encoder, and
answers on SWITCHBOARD_HTTP_HOST:SWITCHBOARD_HTTP_PORT:

- `GET /health` (liveness): 200 while the process works; 503 once loading the model failed (a restart may help).
- `GET /ready` (readiness): 503 until the head and encoder are loaded, then 200: no traffic reaches a cold pod.
- `POST /predict` with `{"text": …}` or `{"texts": [...]}` (≤ 256): each text's label, confidence and label
  probabilities, as the gateway's `POST /api/v1/ai/predict/{name}` answers them. Bad input is a 400.

No credentials are checked here: the pods sit behind their ClusterIP Service; callers come through the gateway.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from dataclasses import dataclass
from typing import Annotated

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from libs.embeddings import get_encoder
from libs.observability import get_logger, setup_observability
from libs.runtime.service import serve_forever
from services.training.deployments import Prediction, prediction
from services.training.domain import model_id_of
from services.training.exchange import Exchange
from services.training.head import SoftmaxHead, one_blas_thread
from services.training.settings import TrainingSettings
from services.training.staging import model_key
from services.training.vectors import Encoder

log = get_logger("training.serve")
Text = Annotated[str, Field(min_length=1, max_length=10_000)]


class PredictIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Text | None = None
    texts: Annotated[list[Text], Field(min_length=1, max_length=256)] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> PredictIn:
        if (self.text is None) == (self.texts is None):
            raise ValueError("send either text or texts")
        return self


class LabelScore(BaseModel):
    label: str
    confidence: float
    probabilities: dict[str, float]


class PredictOut(BaseModel):
    deployment_name: str
    model_uri: str
    label: str | None = None
    probabilities: dict[str, float] | None = None
    predictions: list[LabelScore]


class Status(BaseModel):
    status: str
    model_uri: str
    error: str | None = None


@dataclass
class Model:
    """The served head and encoder; `error` says why loading failed."""

    name: str
    model_uri: str
    head: SoftmaxHead | None = None
    encoder: Encoder | None = None
    error: str | None = None

    def load(self, exchange: Exchange) -> None:
        model_id = model_id_of(self.model_uri)
        try:
            data = exchange.get(model_key(model_id)) if model_id else None
            if data is None:
                raise LookupError(f"no published artifact for {self.model_uri} in {exchange.uri}")
            encoder = get_encoder()
            encoder.encode(["warm up"])  # load the graph before saying ready
            self.head, self.encoder = SoftmaxHead.from_bytes(data), encoder
            log.info("training.serve_ready", model_uri=self.model_uri)
        except Exception as exc:  # the reason goes to /health and /ready, where the kubelet and operators see it
            self.error = f"{type(exc).__name__}: {exc}"
            log.error("training.serve_load_failed", model_uri=self.model_uri, error=self.error)

    def predict(self, texts: list[str]) -> list[Prediction]:
        assert self.head is not None and self.encoder is not None
        vectors = self.encoder.encode(texts)
        with one_blas_thread():
            probs = self.head.probabilities(vectors)
        return [prediction(self.head.labels, row) for row in probs]


def build_app(model: Model) -> FastAPI:
    app = FastAPI(title=f"switchboard model server: {model.name}")

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(str(e.get("msg")) for e in exc.errors())
        return JSONResponse({"error": "invalid_request", "message": problems}, status_code=400)

    def state(failed_code: int, loading_code: int) -> JSONResponse:
        body = Status(status="ready" if model.head else "failed" if model.error else "loading",
                      model_uri=model.model_uri, error=model.error)  # fmt: skip
        code = 200 if model.head else failed_code if model.error else loading_code
        return JSONResponse(body.model_dump(), status_code=code)

    @app.get("/health", response_model=Status)
    async def health() -> JSONResponse:
        return state(503, 200)  # alive while loading; dead only when loading failed

    @app.get("/ready", response_model=Status)
    async def ready() -> JSONResponse:
        return state(503, 503)

    @app.post("/predict", response_model=PredictOut)
    async def predict(body: PredictIn) -> PredictOut | JSONResponse:
        if model.head is None:
            return JSONResponse({"error": "not_ready", "message": model.error or "loading"}, status_code=503)
        texts = body.texts if body.texts is not None else [body.text or ""]
        found = await asyncio.to_thread(model.predict, texts)
        single = found[0] if body.text is not None else None
        return PredictOut(
            deployment_name=model.name, model_uri=model.model_uri,
            label=single.label if single else None, probabilities=single.probabilities if single else None,
            predictions=[LabelScore(label=p.label, confidence=p.confidence, probabilities=p.probabilities)
                         for p in found],
        )  # fmt: skip

    return app


async def _serve(name: str, settings: TrainingSettings) -> None:
    exchange = settings.exchange()
    if exchange is None or not settings.serve_model_uri:
        raise SystemExit("--serve needs SWITCHBOARD_TRAINING_SERVE_MODEL_URI and SWITCHBOARD_TRAINING_EXCHANGE_URI")
    model = Model(name=name, model_uri=settings.serve_model_uri)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    threading.Thread(target=model.load, args=(exchange,), name="model-load", daemon=True).start()
    platform = settings.platform
    log.info("training.serve_started", deployment_name=name, port=platform.http_port)
    await serve_forever(build_app(model), platform.http_host, platform.http_port or 8080, stop)


def serve(name: str) -> None:
    settings = TrainingSettings()
    setup_observability("training-serve", level=settings.platform.log_level, json_logs=settings.platform.json_logs)
    asyncio.run(_serve(name, settings))
