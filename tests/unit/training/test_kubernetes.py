"""The rendered Kubernetes manifests (indexed training Job; model Deployment + Service + HPA) validate offline
against the Kubernetes schemas, and carry instance_count, instance_type, replicas and auto_scaling."""

from __future__ import annotations

from typing import Any

import jsonschema
import kubernetes_validate
import pytest

from services.training.domain import DeploymentRecord, Hyperparameters, JobRecord, now
from services.training.kubernetes import deployment_manifests, object_name, resources_for, training_job_manifest

EXCHANGE = "s3://switchboard-training/exchange"
K8S_SCHEMA_VERSION = "1.30.0"  # as tests/contract/test_deploy.py: the oldest Kubernetes the manifests target


def valid(doc: dict[str, Any]) -> None:
    try:
        kubernetes_validate.validate(doc, K8S_SCHEMA_VERSION, strict=True)
    except jsonschema.ValidationError as exc:
        pytest.fail(f"{doc['kind']}: {exc.message}")


def test_indexed_job_for_four_instances() -> None:
    job = JobRecord(
        id="train-2026-12-07-0123456789", tenant_id="t", base_model="customerai-classifier",
        training_data_uri="dataset://ds_1", instance_count=4,
        hyperparameters=Hyperparameters(learning_rate=0.01, epochs=3, batch_size=16),
        instance_type="ml.g4dn.xlarge", estimated_seconds=10, created_at=now(),
    )  # fmt: skip
    manifest = training_job_manifest(job, image="switchboard:dev", namespace="switchboard", exchange_uri=EXCHANGE)
    valid(manifest)
    spec = manifest["spec"]
    assert spec["completionMode"] == "Indexed" and spec["parallelism"] == spec["completions"] == 4
    resources = spec["template"]["spec"]["containers"][0]["resources"]
    assert resources["requests"]["nvidia.com/gpu"] == resources["limits"]["nvidia.com/gpu"] == "1"


def test_model_deployment_with_autoscaling() -> None:
    record = DeploymentRecord(
        id="deploy-1", tenant_id="t", name="financial-sentiment-prod", strategy="kubernetes",
        model_uri="model://train-1", replicas=3, auto_scaling={"min_replicas": 2, "max_replicas": 10,
        "target_utilization": 70}, resource_requirements={"cpu": "2", "memory": "4Gi", "gpu": "1"},
        created_at=now(), updated_at=now(),
    )  # fmt: skip
    manifests = deployment_manifests(record, image="switchboard:dev", namespace="switchboard", exchange_uri=EXCHANGE)
    for doc in manifests:
        valid(doc)
    kinds = {doc["kind"]: doc for doc in manifests}
    assert set(kinds) == {"Deployment", "Service", "HorizontalPodAutoscaler"}
    assert kinds["Deployment"]["spec"]["replicas"] == 3
    hpa = kinds["HorizontalPodAutoscaler"]["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 10)
    assert hpa["metrics"][0]["resource"]["target"]["averageUtilization"] == 70


def test_instance_types_map_to_requests() -> None:
    assert resources_for("ml.m5.large")["requests"] == {"cpu": "2", "memory": "8Gi"}
    assert resources_for("unknown")["requests"] == {"cpu": "1", "memory": "2Gi"}
    assert "limits" not in resources_for(None, {"cpu": "2"})


def test_two_tenants_deploying_one_name_get_their_own_objects() -> None:
    def record(tenant: str, name: str) -> DeploymentRecord:
        return DeploymentRecord(id="d", tenant_id=tenant, name=name, model_uri="model://m", created_at=now(),
                                updated_at=now())  # fmt: skip

    acme, globex = record("acme", "intents"), record("globex", "intents")
    assert object_name(acme) != object_name(globex) and object_name(acme).startswith("model-intents-")
    long_name = object_name(record("acme", "x" * 63))
    assert len(long_name) <= 63
    selectors = [
        deployment_manifests(r, image="i", namespace="n", exchange_uri=EXCHANGE)[1]["spec"]["selector"]
        for r in (acme, globex)
    ]
    assert selectors[0] != selectors[1]  # one tenant's Service never selects the other's pods
