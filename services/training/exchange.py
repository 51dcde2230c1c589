"""The job exchange: where the training service and the pods it starts hand each other files, because the pods
cannot read the service's own volume (a ReadWriteOnce PVC). `s3://bucket/prefix` (MinIO, AWS S3: the cluster
setup) or `file:///path` (a volume both sides mount; the tests' local directory).

Layout (keys under the exchange root; job ids are unique across tenants):
- `jobs/<job_id>/spec.json`, `train.jsonl`, `validation.jsonl`, `init.npz`: what the service stages for the workers;
- `jobs/<job_id>/shards/<i>.npy`: worker i's embedded shard (a restarted pod skips the encoder);
- `jobs/<job_id>/epochs/<e>/<i>.npz`: worker i's head after epoch e (averaged by every worker into the next epoch's);
- `jobs/<job_id>/progress/<i>.json`, `errors/<i>.txt`: what the service reads back while the Job runs;
- `jobs/<job_id>/model/head.npz`, `model/metrics.json`: the trained head, written once by worker 0;
- `models/<model_id>/head.npz`: a deployed version's head, published for the `--serve` pods.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from minio import Minio
from minio.error import S3Error

from services.training.s3 import minio_client

FILE_SCHEME = "file://"


class Exchange(Protocol):
    uri: str

    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes | None: ...


class DirExchange:
    """Files under a directory; every write is write-then-rename, so a reader never sees half a file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.uri = f"{FILE_SCHEME}{root}"

    def put(self, key: str, data: bytes) -> None:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)

    def get(self, key: str) -> bytes | None:
        path = self.root / key
        return path.read_bytes() if path.is_file() else None


class S3Exchange:
    """Objects under s3://bucket/prefix (a PUT is atomic in S3: a reader sees the whole object or none)."""

    def __init__(self, client: Minio, bucket: str, prefix: str) -> None:
        self._client = client
        self._bucket = bucket
        self._prefix = prefix.strip("/")
        self.uri = f"s3://{bucket}/{self._prefix}".rstrip("/")

    def _key(self, key: str) -> str:
        return f"{self._prefix}/{key}" if self._prefix else key

    def put(self, key: str, data: bytes) -> None:
        try:
            self._client.put_object(self._bucket, self._key(key), io.BytesIO(data), len(data))
        except S3Error as exc:
            if exc.code != "NoSuchBucket":
                raise
            self._client.make_bucket(self._bucket)  # the first job of a fresh MinIO: nobody created it yet
            self._client.put_object(self._bucket, self._key(key), io.BytesIO(data), len(data))

    def get(self, key: str) -> bytes | None:
        try:
            response = self._client.get_object(self._bucket, self._key(key))
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchObject", "NoSuchBucket"):  # no bucket yet: nothing was written
                return None
            raise
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()


def open_exchange(
    uri: str, *, endpoint: str | None = None, access_key: str | None = None, secret_key: str | None = None,
    region: str | None = None,
) -> Exchange:  # fmt: skip
    """The exchange a URI names; s3:// needs the S3 endpoint and keys (the same settings as s3:// datasets)."""
    if uri.startswith(FILE_SCHEME):
        return DirExchange(Path(unquote(urlsplit(uri).path)))
    if uri.startswith("s3://"):
        if not (endpoint and access_key and secret_key):
            raise ValueError(
                f"exchange {uri} needs SWITCHBOARD_TRAINING_S3_ENDPOINT, _S3_ACCESS_KEY and _S3_SECRET_KEY"
            )
        bucket, _, prefix = uri.removeprefix("s3://").partition("/")
        return S3Exchange(minio_client(endpoint, access_key, secret_key, region), bucket, prefix)
    raise ValueError(f"exchange URI {uri!r}: expected s3://bucket/prefix or file:///path")
