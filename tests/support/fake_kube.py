"""A small fake Kubernetes API server on 127.0.0.1 for the training service's cluster tests, spoken to through the
official `kubernetes` client exactly as a real cluster would be (a real kube-apiserver + etcd did not build here in
the 5 minutes allowed: see services/training/README.md).

It serves only the endpoints the training service uses, with the API server's rules for them: a bearer token
(401 without it), server-side apply (PATCH, application/apply-patch+yaml, fieldManager required) of Deployments,
Services and HorizontalPodAutoscalers; create (409 AlreadyExists), read-status and delete (404 NotFound) of Jobs;
every stored object validated against the Kubernetes 1.30 schemas (422 Invalid, as the API server's validation).
No controller runs, so nothing changes an object's status but the test (`set_status`), as with a bare API server.
`kubeconfig(path)` writes a kubeconfig pointing at it."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import orjson
import uvicorn
import yaml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.fake_llm.server import free_port

SCHEMA_VERSION = "1.30.0"
APPLIED = {  # URL collection → (apiVersion, kind)
    "deployments": ("apps/v1", "Deployment"),
    "services": ("v1", "Service"),
    "horizontalpodautoscalers": ("autoscaling/v2", "HorizontalPodAutoscaler"),
    "jobs": ("batch/v1", "Job"),
}
PREFIXES = {"deployments": "/apis/apps/v1", "services": "/api/v1", "jobs": "/apis/batch/v1",
            "horizontalpodautoscalers": "/apis/autoscaling/v2"}  # fmt: skip


def _status(code: int, reason: str, message: str) -> JSONResponse:
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code}  # fmt: skip
    return JSONResponse(body, status_code=code)


class FakeKube:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = uuid.uuid4().hex
        self.objects: dict[tuple[str, str, str], dict[str, Any]] = {}  # (collection, namespace, name) → object
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def kubeconfig(self, path: Path) -> Path:
        doc = {
            "apiVersion": "v1", "kind": "Config", "current-context": "fake",
            "clusters": [{"name": "fake", "cluster": {"server": self.url}}],
            "users": [{"name": "fake", "user": {"token": self.token}}],
            "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "fake", "namespace": "switchboard"}}],
        }  # fmt: skip
        path.write_text(yaml.safe_dump(doc))
        return path

    def get(self, collection: str, namespace: str, name: str) -> dict[str, Any] | None:
        with self._lock:
            return self.objects.get((collection, namespace, name))

    def set_status(self, collection: str, namespace: str, name: str, status: dict[str, Any]) -> None:
        """What a controller would write: the test plays the Deployment or Job controller."""
        with self._lock:
            self.objects[(collection, namespace, name)]["status"] = status

    def start(self) -> FakeKube:
        config = uvicorn.Config(self._app(), host="127.0.0.1", port=self.port, log_level="warning", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake Kubernetes API server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)

    def _app(self) -> Starlette:
        item = "/namespaces/{namespace}/{collection}/{name}"
        routes = []
        for collection, prefix in PREFIXES.items():
            routes += [
                Route(f"{prefix}/namespaces/{{namespace}}/{collection}", self._create, methods=["POST"]),
                Route(prefix + item.replace("{collection}", collection), self._item, methods=["GET", "PATCH",
                                                                                             "DELETE"]),
                Route(prefix + item.replace("{collection}", collection) + "/status", self._item, methods=["GET"]),
            ]  # fmt: skip
        return Starlette(routes=routes)

    def _authorized(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.token}"

    def _collection(self, request: Request) -> str:
        return next(c for c in APPLIED if f"/{c}" in request.url.path)

    async def _create(self, request: Request) -> Response:
        if not self._authorized(request):
            return _status(401, "Unauthorized", "Unauthorized")
        collection, namespace = self._collection(request), request.path_params["namespace"]
        self.requests.append(("POST", request.url.path))
        body = orjson.loads(await request.body())
        name = body.get("metadata", {}).get("name", "")
        with self._lock:
            if (collection, namespace, name) in self.objects:
                return _status(409, "AlreadyExists", f'{collection} "{name}" already exists')
        return self._store(collection, namespace, name, body, created=True)

    async def _item(self, request: Request) -> Response:
        if not self._authorized(request):
            return _status(401, "Unauthorized", "Unauthorized")
        collection = self._collection(request)
        namespace, name = request.path_params["namespace"], request.path_params["name"]
        self.requests.append((request.method, request.url.path))
        key = (collection, namespace, name)
        if request.method == "PATCH":
            return await self._apply(request, collection, namespace, name)
        with self._lock:
            found = self.objects.get(key)
            if found is not None and request.method == "DELETE":
                del self.objects[key]
        if found is None:
            return _status(404, "NotFound", f'{collection} "{name}" not found')
        if request.method == "DELETE":
            return JSONResponse({"kind": "Status", "apiVersion": "v1", "status": "Success", "details": {"name": name}})
        return JSONResponse(found)

    async def _apply(self, request: Request, collection: str, namespace: str, name: str) -> Response:
        if request.headers.get("content-type") != "application/apply-patch+yaml":
            return _status(415, "UnsupportedMediaType", "only server-side apply is served here")
        if not request.query_params.get("fieldManager"):
            return _status(400, "BadRequest", "fieldManager is required for apply patch")
        body = yaml.safe_load(await request.body())
        with self._lock:
            old = self.objects.get((collection, namespace, name))
        return self._store(collection, namespace, name, body, created=old is None, old=old)

    def _store(
        self, collection: str, namespace: str, name: str, body: dict[str, Any], *, created: bool,
        old: dict[str, Any] | None = None,
    ) -> Response:  # fmt: skip
        api_version, kind = APPLIED[collection]
        meta = body.get("metadata", {})
        if (body.get("apiVersion"), body.get("kind")) != (api_version, kind) or meta.get("name") != name:
            return _status(400, "BadRequest", f"expected {api_version} {kind} named {name}")
        if meta.get("namespace", namespace) != namespace:
            return _status(400, "BadRequest", "the namespace of the object does not match the request")
        try:
            kubernetes_validate.validate(body, SCHEMA_VERSION, strict=True)
        except jsonschema.ValidationError as exc:
            return _status(422, "Invalid", f'{kind} "{name}" is invalid: {exc.message}')
        stored = {**body, "metadata": {**meta, "namespace": namespace, "uid": (old or {}).get("metadata", {}).get(
            "uid", str(uuid.uuid4())), "resourceVersion": str(time.monotonic_ns()),
            "generation": (old or {}).get("metadata", {}).get("generation", 0) + 1}}  # fmt: skip
        if old and "status" in old:
            stored["status"] = old["status"]  # apply never touches status: the controller's subresource
        with self._lock:
            self.objects[(collection, namespace, name)] = stored
        return JSONResponse(stored, status_code=201 if created else 200)
