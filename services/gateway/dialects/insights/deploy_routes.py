"""Seed 000 POST /api/v1/ai/deploy (a trained model's `model_uri` served under `deployment_name`), GET
/api/v1/ai/deployments/{deployment_id}, POST /api/v1/ai/deployments/{deployment_id}/rollback, and the deployment's
real `endpoint`: POST /api/v1/ai/predict/{deployment_name} with {"text"} or {"texts"} and the caller's credentials
answers each text's label and label probabilities. Served by the training service over the bus.

Deploying a name again hot-swaps the new version in (the old one answers until the new one is loaded); rollback
serves the previous version again. `deployment_strategy` `kubernetes` needs a configured cluster (else 400).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator

from libs.contracts.models.training import AutoScaling, DeploymentV1, DeployV1, LabelPrediction, ResourceRequirements
from services.gateway.deps import Caller, GatewayDep
from services.gateway.dialects.insights.envelope import DIALECT
from services.gateway.dialects.insights.training_routes import MODEL_ROLES, Envelope, Id

router = APIRouter(prefix="/api/v1/ai", route_class=DIALECT.route_class(), tags=["insights: training"])

Name = Annotated[str, Field(min_length=1, max_length=63, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
PredictText = Annotated[str, Field(min_length=1, max_length=20_000)]


class DeployBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model_uri: Annotated[str, Field(min_length=1, max_length=1024)]
    deployment_name: Name
    deployment_strategy: Literal["local", "kubernetes"] = "local"
    replicas: Annotated[int, Field(ge=1, le=100)] = 1
    auto_scaling: AutoScaling | None = None
    resource_requirements: ResourceRequirements | None = None
    instance_type: Annotated[str, Field(min_length=1, max_length=100)] | None = None


class DeployOut(BaseModel):
    deployment_id: str
    status: str
    endpoint: str
    metrics_endpoint: str


class DeploymentOut(DeployOut):
    deployment_name: str
    deployment_strategy: str
    model_uri: str
    version: int
    previous_model_uris: list[str]
    replicas: int
    labels: list[str] | None = None
    error: str | None = None
    created_at: str
    updated_at: str


class PredictBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: PredictText | None = None
    texts: Annotated[list[PredictText], Field(min_length=1, max_length=256)] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> PredictBody:
        if (self.text is None) == (self.texts is None):
            raise ValueError("send either text or texts")
        return self


class PredictOut(BaseModel):
    deployment_name: str
    model_uri: str
    version: int
    label: str | None = None
    probabilities: dict[str, float] | None = None
    predictions: list[LabelPrediction]


def _out(deployment: DeploymentV1, request: Request) -> DeploymentOut:
    base = str(request.base_url).rstrip("/")
    return DeploymentOut(
        endpoint=f"{base}/api/v1/ai/predict/{deployment.deployment_name}",
        metrics_endpoint=f"{base}/api/v1/ai/deployments/{deployment.deployment_id}",
        **deployment.model_dump(include=set(DeploymentOut.model_fields) - {"endpoint", "metrics_endpoint"}),
    )


@router.post("/deploy", description=__doc__)
async def deploy(body: DeployBody, caller: Caller, gw: GatewayDep, request: Request) -> Envelope[DeployOut]:
    caller.require(*MODEL_ROLES)
    command = DeployV1.model_validate(body.model_dump(exclude_none=True))
    deployment = await gw.clients.training.deploy(caller, command)
    full = _out(deployment, request)
    return Envelope(data=DeployOut.model_validate(full.model_dump(include=set(DeployOut.model_fields))))


@router.get("/deployments/{deployment_id}")
async def get_deployment(
    deployment_id: Id, caller: Caller, gw: GatewayDep, request: Request
) -> Envelope[DeploymentOut]:
    client = gw.clients.training
    deployment = await client.get_deployment(caller, deployment_id=deployment_id)
    return Envelope(data=_out(deployment, request))


@router.post("/deployments/{deployment_id}/rollback")
async def rollback(deployment_id: Id, caller: Caller, gw: GatewayDep, request: Request) -> Envelope[DeploymentOut]:
    caller.require(*MODEL_ROLES)
    deployment = await gw.clients.training.rollback(caller, deployment_id)
    return Envelope(data=_out(deployment, request))


@router.post("/predict/{deployment_name}", description=__doc__)
async def predict(
    deployment_name: Annotated[str, Path(min_length=1, max_length=63, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")],
    body: PredictBody,
    caller: Caller,
    gw: GatewayDep,
) -> Envelope[PredictOut]:
    texts = body.texts if body.texts is not None else [body.text or ""]
    result = await gw.clients.training.predict(caller, deployment_name, texts)
    single = result.predictions[0] if body.text is not None else None
    return Envelope(
        data=PredictOut(
            deployment_name=result.deployment_name,
            model_uri=result.model_uri,
            version=result.version,
            label=single.label if single else None,
            probabilities=single.probabilities if single else None,
            predictions=result.predictions,
        )
    )
