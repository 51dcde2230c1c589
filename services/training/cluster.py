"""The Kubernetes API through the official client: applies kubernetes.py's manifests (server-side apply, so a second
deploy of a name updates its objects in place), creates the indexed training Job and reads back what the cluster
reports. Calls are synchronous (the client is); callers run them in a worker thread."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import urllib3
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from libs.errors import Invalid, Unavailable

FIELD_MANAGER = "switchboard-training"
APPLY = "application/apply-patch+yaml"  # JSON is YAML: the client sends the manifest dict as JSON under this type


@dataclass(frozen=True)
class JobState:
    """What the Job controller reports: counts of pods and the terminal condition, if any."""

    active: int
    succeeded: int
    failed: int
    finished: str | None  # "Complete" | "Failed" | None while running
    message: str | None


@dataclass(frozen=True)
class RolloutState:
    replicas: int
    available: int
    failed_message: str | None  # Progressing=False (e.g. ProgressDeadlineExceeded)


SERVICE_ACCOUNT_NAMESPACE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")


def connect(kubeconfig: Path | None, namespace: str | None = None) -> Cluster | None:
    """In-cluster service account when running in a pod, else the kubeconfig file; None when neither is there.
    Objects go to `namespace`, else the pod's own namespace (its Role grants rights there only) or the kubeconfig
    context's namespace, else "default"."""
    if os.environ.get("KUBERNETES_SERVICE_HOST"):
        configuration = client.Configuration()
        config.load_incluster_config(client_configuration=configuration)
        own = SERVICE_ACCOUNT_NAMESPACE.read_text().strip() if SERVICE_ACCOUNT_NAMESPACE.exists() else None
        return Cluster(client.ApiClient(configuration), namespace or own or "default")
    if kubeconfig is not None and kubeconfig.exists():
        _, context = config.list_kube_config_contexts(config_file=str(kubeconfig))
        in_context = (context or {}).get("context", {}).get("namespace")
        api = config.new_client_from_config(config_file=str(kubeconfig))
        return Cluster(api, namespace or in_context or "default")
    return None


class Cluster:
    def __init__(self, api: client.ApiClient, namespace: str) -> None:
        self.api = api
        self.namespace = namespace
        self._apps = client.AppsV1Api(api)
        self._core = client.CoreV1Api(api)
        self._hpa = client.AutoscalingV2Api(api)
        self._batch = client.BatchV1Api(api)

    def apply(self, manifests: list[dict[str, Any]]) -> None:
        """Server-side apply of a Deployment, its Service and (when present) its HPA; a stale HPA is deleted."""
        kinds = {m["kind"] for m in manifests}
        patches = {
            "Deployment": self._apps.patch_namespaced_deployment,
            "Service": self._core.patch_namespaced_service,
            "HorizontalPodAutoscaler": self._hpa.patch_namespaced_horizontal_pod_autoscaler,
        }
        for manifest in manifests:
            meta = manifest["metadata"]
            patch = patches[manifest["kind"]]
            _call(patch, meta["name"], meta["namespace"], manifest, field_manager=FIELD_MANAGER, force=True,
                  _content_type=APPLY)  # fmt: skip
        if "HorizontalPodAutoscaler" not in kinds:  # auto_scaling dropped on a redeploy: replicas rule again
            meta = manifests[0]["metadata"]
            delete = self._hpa.delete_namespaced_horizontal_pod_autoscaler
            _call(delete, meta["name"], meta["namespace"], missing_ok=True)

    def rollout(self, name: str, namespace: str) -> RolloutState | None:
        """The Deployment's status as its controller reports it; None when it does not exist."""
        found = _call(self._apps.read_namespaced_deployment_status, name, namespace, missing_ok=True)
        if found is None:
            return None
        status = found.status
        conditions = (status.conditions or []) if status else []
        failed = next(
            (c.message or c.reason for c in conditions if c.type == "Progressing" and c.status == "False"), None
        )
        return RolloutState(
            replicas=found.spec.replicas or 0, available=(status.available_replicas or 0) if status else 0,
            failed_message=failed,
        )  # fmt: skip

    def create_job(self, manifest: dict[str, Any]) -> None:
        """Create the Job; one that already exists (a restart or redelivery re-submitting it) is kept as it is."""
        meta = manifest["metadata"]
        _call(self._batch.create_namespaced_job, meta["namespace"], manifest, exists_ok=True)

    def job_state(self, name: str, namespace: str) -> JobState | None:
        found = _call(self._batch.read_namespaced_job_status, name, namespace, missing_ok=True)
        if found is None:
            return None
        status = found.status
        finished = next(
            (c for c in (status.conditions or []) if c.type in ("Complete", "Failed") and c.status == "True"), None
        ) if status else None  # fmt: skip
        return JobState(
            active=status.active or 0 if status else 0, succeeded=status.succeeded or 0 if status else 0,
            failed=status.failed or 0 if status else 0, finished=finished.type if finished else None,
            message=(finished.message or finished.reason) if finished else None,
        )  # fmt: skip

    def delete_job(self, name: str, namespace: str) -> None:
        """Delete the Job and (in the background) its pods."""
        _call(self._batch.delete_namespaced_job, name, namespace, propagation_policy="Background", missing_ok=True)

    def close(self) -> None:
        self.api.close()


def _call(fn: Any, *args: Any, missing_ok: bool = False, exists_ok: bool = False, **kwargs: Any) -> Any:
    """One API call with its failures as domain errors: the cluster's refusal is a 400 naming its reason (the caller's
    manifest or quota), an unreachable or failing API server a 503."""
    try:
        return fn(*args, _request_timeout=(5, 30), **kwargs)
    except ApiException as exc:
        if (exc.status == 404 and missing_ok) or (exc.status == 409 and exists_ok):
            return None
        if exc.status is not None and 400 <= exc.status < 500 and exc.status not in (401, 429):
            raise Invalid(f"the Kubernetes API refused it: {exc.status} {_reason(exc)}",
                          {"field": "deployment_strategy"}) from exc  # fmt: skip
        raise Unavailable(f"the Kubernetes API answered {exc.status} {_reason(exc)}") from exc
    except urllib3.exceptions.HTTPError as exc:
        raise Unavailable(f"the Kubernetes API could not be reached: {type(exc).__name__}") from exc


def _reason(exc: ApiException) -> str:
    try:
        return str(json.loads(exc.body or "{}").get("message") or exc.reason)[:500]
    except ValueError:
        return str(exc.reason)
