"""s3:// training and validation data read with the MinIO client from a real S3-compatible server on 127.0.0.1:
moto's standalone server (moto.server, the `moto-server` in each test id), and the 400s: no S3 configured, no such
bucket or object, not a dataset, credentials the server refuses (moto checking keys after the setup requests)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from minio import Minio

from tests.support.s3_server import ACCESS_KEY, SECRET_KEY, MotoServer, available
from tests.unit.training_api.conftest import AUTH, Platform, PlatformFactory, csv_bytes, labelled_rows

SETUP_REQUESTS = 4  # make_bucket + three put_object below


def started(authenticate_after: int | None = None) -> MotoServer:
    if not available():
        pytest.skip("moto's S3 server is not installed (pip install 'moto[s3]' flask flask-cors: the dev extras)")
    server = MotoServer(authenticate_after).start()
    client = Minio(server.endpoint.removeprefix("http://"), ACCESS_KEY, SECRET_KEY, secure=False)
    client.make_bucket("customerai-data")
    train = csv_bytes(labelled_rows())
    client.put_object("customerai-data", "intents/train.csv", io.BytesIO(train), len(train))
    validation = csv_bytes(labelled_rows()[::3])
    client.put_object("customerai-data", "intents/validation.csv", io.BytesIO(validation), len(validation))
    client.put_object("customerai-data", "notes.txt", io.BytesIO(b"\xff\xfe not text"), 10)
    return server


@pytest.fixture(params=["moto-server"])
def s3() -> Iterator[MotoServer]:
    server = started()
    yield server
    server.stop()


@pytest.fixture(params=["moto-server-checking-keys"])
def s3_checking_keys() -> Iterator[MotoServer]:
    server = started(authenticate_after=SETUP_REQUESTS)
    yield server
    server.stop()


async def s3_platform(make_platform: PlatformFactory, s3: MotoServer) -> Platform:
    return await make_platform(s3_endpoint=s3.endpoint, s3_access_key=ACCESS_KEY, s3_secret_key=SECRET_KEY)


async def test_a_job_trains_on_s3_objects(make_platform: PlatformFactory, s3: MotoServer) -> None:
    platform = await s3_platform(make_platform, s3)
    resp = await platform.train("s3://customerai-data/intents/train.csv",
                                validation_data_uri="s3://customerai-data/intents/validation.csv")  # fmt: skip
    assert resp.status_code == 200, resp.text
    job = await platform.wait_job(resp.json()["data"]["job_id"], {"COMPLETED", "FAILED"})
    assert job["status"] == "COMPLETED" and job["validation_split"] == "given", job
    assert job["model_card"]["metrics"]["validation_rows"] == len(labelled_rows()[::3])
    listed = (await platform.client.get("/api/v1/ai/datasets", headers=AUTH)).json()["data"]
    assert {d["filename"] for d in listed} == {"s3://customerai-data/intents/train.csv",
                                               "s3://customerai-data/intents/validation.csv"}  # fmt: skip
    again = await platform.train("s3://customerai-data/intents/train.csv")  # same object: the same stored dataset
    assert again.status_code == 200
    assert len((await platform.client.get("/api/v1/ai/datasets", headers=AUTH)).json()["data"]) == 2


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("s3://customerai-data/intents/missing.csv", "no object"),
        ("s3://no-such-bucket/train.csv", "no object"),
        ("s3://customerai-data/notes.txt", "not UTF-8"),
        ("s3://customerai-data/", "expected s3://<bucket>/<key>"),
    ],
)
async def test_unusable_s3_uris_are_400(make_platform: PlatformFactory, s3: MotoServer, uri: str, problem: str) -> None:
    platform = await s3_platform(make_platform, s3)
    resp = await platform.train(uri)
    assert resp.status_code == 400, resp.text
    assert problem in resp.json()["message"] and "training_data_uri" in resp.json()["message"]


async def test_credentials_the_server_refuses_are_400(
    make_platform: PlatformFactory, s3_checking_keys: MotoServer
) -> None:
    platform = await s3_platform(make_platform, s3_checking_keys)
    resp = await platform.train("s3://customerai-data/intents/train.csv")
    assert resp.status_code == 400 and "credentials cannot read" in resp.json()["message"], resp.text


async def test_s3_without_configuration_is_400(platform: Platform) -> None:
    resp = await platform.train("s3://customerai-data/intents/train.csv")
    assert resp.status_code == 400 and "none are configured" in resp.json()["message"], resp.text
