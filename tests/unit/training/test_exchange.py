"""The job exchange on both of its backends: a directory (file://) and an S3-compatible server (moto's standalone
server on 127.0.0.1, through the MinIO client): missing keys are None, writes replace, the bucket is created on the
first write, and a URI of neither kind (or s3:// without keys) is refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.training.exchange import Exchange, open_exchange
from tests.support.s3_server import ACCESS_KEY, SECRET_KEY, MotoServer, available


@pytest.fixture(params=["file", "moto-server"])
def exchange(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Exchange]:
    if request.param == "file":
        yield open_exchange(f"file://{tmp_path / 'exchange'}")
        return
    if not available():
        pytest.skip("moto's S3 server is not installed (the dev extras)")
    server = MotoServer().start()
    try:
        yield open_exchange("s3://fresh-bucket/some/prefix", endpoint=server.endpoint, access_key=ACCESS_KEY,
                            secret_key=SECRET_KEY)  # fmt: skip
    finally:
        server.stop()


def test_put_get_replace_and_missing(exchange: Exchange) -> None:
    assert exchange.get("jobs/j/spec.json") is None  # nothing yet (on S3: not even the bucket)
    exchange.put("jobs/j/spec.json", b"one")
    exchange.put("jobs/j/epochs/1/0.npz", b"\x00\xff" * 1000)
    assert exchange.get("jobs/j/spec.json") == b"one"
    exchange.put("jobs/j/spec.json", b"two")
    assert exchange.get("jobs/j/spec.json") == b"two"
    assert exchange.get("jobs/j/epochs/1/0.npz") == b"\x00\xff" * 1000
    assert exchange.get("jobs/j/epochs/1/1.npz") is None


def test_uris_it_cannot_open_are_refused() -> None:
    with pytest.raises(ValueError, match="expected s3://bucket/prefix or file:///path"):
        open_exchange("http://example.com/x")
    with pytest.raises(ValueError, match="needs SWITCHBOARD_TRAINING_S3_ENDPOINT"):
        open_exchange("s3://bucket/prefix")
