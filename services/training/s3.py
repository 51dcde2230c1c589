"""s3:// training and validation data, read with the MinIO client (any S3-compatible server: MinIO in
docker-compose, AWS S3) when an endpoint and credentials are configured. Reads are synchronous; callers run them in a
worker thread. The object's bytes go through the same parser as an upload (datasets.parse_dataset)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from minio import Minio
from minio.error import MinioException, S3Error

from libs.errors import Invalid, Unavailable
from services.training.domain import S3_SCHEME

# Answers meaning "this object cannot be read with these credentials": the caller's mistake (a 400), not an outage.
MISSING = frozenset({"NoSuchKey", "NoSuchBucket", "NoSuchObject", "ResourceNotFound"})
DENIED = frozenset({"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "AllAccessDisabled"})


@dataclass(frozen=True)
class S3Object:
    uri: str
    key: str
    etag: str
    data: bytes


def split_uri(uri: str, field: str) -> tuple[str, str]:
    """(bucket, key) of s3://bucket/key; a 400 naming the field for anything else."""
    bucket, _, key = uri.removeprefix(S3_SCHEME).partition("/")
    if not uri.startswith(S3_SCHEME) or not bucket or not key or key.endswith("/"):
        raise Invalid(f"{field}: expected s3://<bucket>/<key> naming one CSV or JSONL object", {"field": field})
    return bucket, key


def minio_client(endpoint: str, access_key: str, secret_key: str, region: str | None = None) -> Minio:
    """A MinIO client for an S3-compatible endpoint URL (https unless the scheme says http)."""
    parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
    if not parts.netloc:
        raise ValueError(f"S3 endpoint {endpoint!r} has no host")
    # Few quick retries: a training request waits on this read, and an unreachable server is a 503, not a hang.
    http = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=5, read=60),
        retries=urllib3.Retry(total=2, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]),
    )
    return Minio(
        parts.netloc, access_key=access_key, secret_key=secret_key, secure=parts.scheme == "https",
        region=region, http_client=http,
    )  # fmt: skip


class S3Reader:
    def __init__(self, endpoint: str, access_key: str, secret_key: str, *, region: str | None = None) -> None:
        self._client = minio_client(endpoint, access_key, secret_key, region)
        self.client = self._client  # the job exchange (exchange.py) writes through the same client

    def read(self, uri: str, field: str, max_bytes: int) -> S3Object:
        """The whole object (at most max_bytes), or a 400 naming what is wrong with it / a 503 when S3 is down."""
        bucket, key = split_uri(uri, field)
        try:
            stat = self._client.stat_object(bucket, key)
            if stat.size is not None and stat.size > max_bytes:
                raise Invalid(f"{field}: {uri} is {stat.size} bytes; the limit is {max_bytes}", {"field": field})
            response = self._client.get_object(bucket, key)
            try:
                data = response.read(max_bytes + 1)
            finally:
                response.close()
                response.release_conn()
        except S3Error as exc:
            raise _s3_error(exc, uri, field) from exc
        except (MinioException, urllib3.exceptions.HTTPError) as exc:
            raise Unavailable(f"the S3 endpoint could not be reached: {type(exc).__name__}", {"field": field}) from exc
        if len(data) > max_bytes:
            raise Invalid(f"{field}: {uri} exceeds the limit of {max_bytes} bytes", {"field": field})
        return S3Object(uri=uri, key=key, etag=(stat.etag or "").strip('"'), data=data)


def _s3_error(exc: S3Error, uri: str, field: str) -> Exception:
    code = exc.code or ""
    if code in MISSING or (code == "" and exc.response is not None and exc.response.status == 404):
        return Invalid(f"{field}: no object {uri} ({code or 'not found'})", {"field": field})
    if code in DENIED or (exc.response is not None and exc.response.status == 403):
        return Invalid(f"{field}: the configured S3 credentials cannot read {uri} ({code})", {"field": field})
    return Unavailable(f"S3 answered {code or 'an error'} for {uri}", {"field": field})
