"""Job and deployment records in, Kubernetes manifests out (plain dicts, validated offline against the Kubernetes
schemas in tests): the indexed Job of a data-parallel training run (SWITCHBOARD_TRAINING_BACKEND=kubernetes) and the
Deployment + Service + HorizontalPodAutoscaler of a `deployment_strategy: kubernetes` deployment. No I/O."""

from __future__ import annotations

import hashlib
from typing import Any

from services.training.domain import DeploymentRecord, JobRecord

APP = "training"
UID = 10001
# instance_type → resource requests (SageMaker-style names, as seed 000 documents them); unknown types get DEFAULT.
INSTANCE_TYPES: dict[str, dict[str, str]] = {
    "ml.m5.large": {"cpu": "2", "memory": "8Gi"},
    "ml.m5.xlarge": {"cpu": "4", "memory": "16Gi"},
    "ml.c5.2xlarge": {"cpu": "8", "memory": "16Gi"},
    "ml.g4dn.xlarge": {"cpu": "4", "memory": "16Gi", "gpu": "1"},
    "ml.p3.2xlarge": {"cpu": "8", "memory": "61Gi", "gpu": "1"},
}
DEFAULT_RESOURCES = {"cpu": "1", "memory": "2Gi"}


def resources_for(instance_type: str | None, requested: dict[str, str] | None = None) -> dict[str, Any]:
    """Requests (and limits for memory and GPUs) from explicit requirements, else the instance type's mapping."""
    spec = dict(requested or INSTANCE_TYPES.get(instance_type or "", DEFAULT_RESOURCES))
    requests = {k: v for k, v in spec.items() if k in ("cpu", "memory")}
    limits: dict[str, str] = {"memory": requests["memory"]} if "memory" in requests else {}
    if spec.get("gpu"):
        requests["nvidia.com/gpu"] = limits["nvidia.com/gpu"] = spec["gpu"]  # GPUs: requests must equal limits
    return {"requests": requests, "limits": limits} if limits else {"requests": requests}


def _security() -> dict[str, Any]:
    return {
        "runAsNonRoot": True, "runAsUser": UID, "runAsGroup": UID, "allowPrivilegeEscalation": False,
        "privileged": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }  # fmt: skip


def _labels(component: str, name: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": APP, "app.kubernetes.io/component": component, "app.kubernetes.io/instance": name}


def _env_from() -> list[dict[str, Any]]:
    """The platform's settings, and the optional connections secret (S3 keys of the job exchange), as the
    training service's own Deployment gets them."""
    return [{"configMapRef": {"name": "switchboard-config"}},
            {"secretRef": {"name": "switchboard-connections", "optional": True}}]  # fmt: skip


def training_job_manifest(job: JobRecord, *, image: str, namespace: str, exchange_uri: str) -> dict[str, Any]:
    """An indexed Job: `instance_count` pods at once (services.training.worker), each knowing its shard from
    JOB_COMPLETION_INDEX (set by the Job controller) and reading the staged job from the exchange."""
    labels = _labels("training-job", job.id)
    container = {
        "name": "worker",
        "image": image,
        "args": ["services.training.worker", "--job-id", job.id, "--workers", str(job.instance_count)],
        "env": [
            {"name": "SWITCHBOARD_TRAINING_JOB_ID", "value": job.id},
            {"name": "SWITCHBOARD_TRAINING_EXCHANGE_URI", "value": exchange_uri},
        ],
        "envFrom": _env_from(),
        "resources": resources_for(job.instance_type),
        "securityContext": _security(),
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": job.id, "namespace": namespace, "labels": labels},
        "spec": {
            "completionMode": "Indexed",
            "completions": job.instance_count,
            "parallelism": job.instance_count,
            "backoffLimitPerIndex": 2,
            "maxFailedIndexes": 0,
            "ttlSecondsAfterFinished": 86_400,
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "restartPolicy": "Never",
                    "serviceAccountName": APP,
                    "automountServiceAccountToken": False,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": UID,
                        "fsGroup": UID,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "containers": [container],
                    "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "1Gi"}}],
                },
            },
        },
    }


def object_name(record: DeploymentRecord) -> str:
    """The Deployment/Service/HPA name of a deployment: readable, and unique per (tenant, name), since every tenant
    deploys into the same namespace and two may pick the same deployment_name (≤ 57 characters, a DNS-1035 label)."""
    digest = hashlib.sha256(f"{record.tenant_id}|{record.name}".encode()).hexdigest()[:10]
    return f"model-{record.name[:40]}-{digest}"


def deployment_manifests(
    record: DeploymentRecord, *, image: str, namespace: str, exchange_uri: str
) -> list[dict[str, Any]]:
    """Deployment (+ Service, + HPA when auto_scaling is set) serving one deployed model version: its pods run
    `python -m services.training --serve NAME`, which loads the version's head from the exchange (serve.py)."""
    name = object_name(record)
    labels = _labels("model-server", name)
    probe = {"httpGet": {"path": "/health", "port": "http"}, "periodSeconds": 10}
    container = {
        "name": "model",
        "image": image,
        "args": ["services.training", "--serve", record.name],
        "env": [
            {"name": "SWITCHBOARD_TRAINING_SERVE_MODEL_URI", "value": record.model_uri},
            {"name": "SWITCHBOARD_TRAINING_EXCHANGE_URI", "value": exchange_uri},
        ],  # SWITCHBOARD_HTTP_HOST/PORT (0.0.0.0:8080, the probes' port) come from switchboard-config
        "envFrom": _env_from(),
        "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
        "resources": resources_for(record.instance_type, record.resource_requirements),
        "readinessProbe": {**probe, "httpGet": {"path": "/ready", "port": "http"}},
        "livenessProbe": probe,
        "securityContext": _security(),
        # The root filesystem is read-only; /tmp (XDG_CACHE_HOME in the image) is the one writable path, as in
        # every service's pod.
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {
            "replicas": record.replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"serviceAccountName": APP, "automountServiceAccountToken": False,
                         "securityContext": {"runAsNonRoot": True, "runAsUser": UID,
                                             "seccompProfile": {"type": "RuntimeDefault"}},
                         "containers": [container],
                         "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "256Mi"}}]},
            },
        },
    }  # fmt: skip
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {"selector": labels, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]},
    }
    manifests = [deployment, service]
    scaling = record.auto_scaling
    if scaling:
        target = {"type": "Utilization", "averageUtilization": scaling.get("target_utilization", 70)}
        manifests.append({
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                "minReplicas": scaling["min_replicas"],
                "maxReplicas": max(scaling["max_replicas"], scaling["min_replicas"]),
                "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": target}}],
            },
        })  # fmt: skip
    return manifests
