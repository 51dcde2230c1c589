"""POST/GET/DELETE /api/v1/ai/datasets through the gateway and the training service: counts, tenancy, bad input."""

from __future__ import annotations

import json

import pytest

from tests.unit.training_api.conftest import AUTH, Platform, csv_bytes, labelled_rows


async def test_csv_upload_counts_rows_and_labels(platform: Platform) -> None:
    rows = labelled_rows()
    resp = await platform.upload("intents.csv", csv_bytes(rows))
    assert resp.status_code == 200, resp.text
    data = resp.json()["data"]
    assert data["uri"] == f"dataset://{data['dataset_id']}" and data["dataset_id"].startswith("ds_")
    assert data["rows"] == len(rows) == 84
    assert data["labels"] == {"card_lost": 28, "password": 28, "refund": 28}
    assert data["format"] == "csv"
    got = await platform.client.get(f"/api/v1/ai/datasets/{data['dataset_id']}", headers=AUTH)
    assert got.status_code == 200 and got.json()["data"]["sha256"] == data["sha256"]


async def test_jsonl_of_the_same_rows_has_the_same_hash(platform: Platform) -> None:
    rows = labelled_rows()
    jsonl = "\n".join(json.dumps({"text": t, "label": lb}) for t, lb in rows).encode()
    as_jsonl = (await platform.upload("intents.jsonl", jsonl)).json()["data"]
    as_csv = (await platform.upload("intents.csv", csv_bytes(rows))).json()["data"]
    assert as_jsonl["format"] == "jsonl" and as_jsonl["rows"] == len(rows)
    assert as_jsonl["sha256"] == as_csv["sha256"] and as_jsonl["dataset_id"] != as_csv["dataset_id"]


async def test_delete_then_get_is_404(platform: Platform) -> None:
    dataset_id = (await platform.dataset_uri()).removeprefix("dataset://")
    deleted = await platform.client.delete(f"/api/v1/ai/datasets/{dataset_id}", headers=AUTH)
    assert deleted.status_code == 200 and deleted.json()["data"]["deleted"] is True
    missing = await platform.client.get(f"/api/v1/ai/datasets/{dataset_id}", headers=AUTH)
    assert missing.status_code == 404
    assert missing.json()["error"] is True and missing.json()["status_code"] == 404


async def test_another_tenant_cannot_see_a_dataset(platform: Platform) -> None:
    dataset_id = (await platform.dataset_uri()).removeprefix("dataset://")
    other = await platform.api_key_for("acme")
    assert (await platform.client.get(f"/api/v1/ai/datasets/{dataset_id}", headers=other)).status_code == 404
    assert (await platform.client.delete(f"/api/v1/ai/datasets/{dataset_id}", headers=other)).status_code == 404


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("notes.txt", b"just some words\nwithout any structure\n", "neither CSV"),
        ("data.csv", b"text,category\nhello,greeting\nbye,farewell\n", "missing the column(s) label"),
        ("data.jsonl", b'{"text": "hi"}\n', "missing label"),
        ("data.jsonl", b'{"text": "hi", "label": "a"}\nnot json\n', "not valid JSON"),
        ("data.csv", b"text,label\nhello,greeting\nhi there,greeting\n", "only one label"),
        ("data.csv", "text,label\ncaf\u00e9,a\nb,b\n".encode("latin-1"), "not UTF-8"),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8"),
        ("data.csv", b"text,label\n", "no rows"),
    ],
)
async def test_bad_files_are_400_naming_the_problem(platform: Platform, name: str, data: bytes, problem: str) -> None:
    resp = await platform.upload(name, data)
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert body["error"] is True and body["status_code"] == 400
    assert problem in body["message"], body


async def test_over_50_mb_is_400(platform: Platform) -> None:
    big = b"text,label\n" + b"x" * (50 * 1024 * 1024)
    resp = await platform.upload("big.csv", big)
    assert resp.status_code == 400
    assert "50 MB" in resp.json()["message"]


async def test_missing_file_field_is_400_in_the_envelope(platform: Platform) -> None:
    resp = await platform.client.post("/api/v1/ai/datasets", files={"other": ("a.csv", b"x")}, headers=AUTH)
    assert resp.status_code == 400 and resp.json()["error"] is True


async def test_multi_part_upload_is_reassembled(platform: Platform) -> None:
    """A file over one bus part (512 KiB) arrives in order and whole."""
    rows = [(f"{text} number {i}", label) for i in range(200) for text, label in labelled_rows()]
    data = csv_bytes(rows)
    assert len(data) > 512 * 1024
    resp = await platform.upload("big.csv", data)
    assert resp.status_code == 200, resp.text
    assert resp.json()["data"]["rows"] == len(rows) and resp.json()["data"]["size"] == len(data)


async def test_csv_with_quotes_and_commas_in_text(platform: Platform) -> None:
    data = b'text,label\n"it never changes, ""really""",a\n"Why, is it \'pending\'?",b\nplain,a\n'
    resp = await platform.upload("tricky.csv", data)
    assert resp.status_code == 200, resp.text
    assert resp.json()["data"]["labels"] == {"a": 2, "b": 1}


async def test_tab_separated(platform: Platform) -> None:
    resp = await platform.upload("data.tsv", b"text\tlabel\nhello there\tgreeting\nbye now\tfarewell\n")
    assert resp.status_code == 200 and resp.json()["data"]["rows"] == 2


async def test_list_shows_only_the_tenants_datasets_newest_first(platform: Platform) -> None:
    first = await platform.dataset_uri()
    second = await platform.dataset_uri()
    listed = (await platform.client.get("/api/v1/ai/datasets", headers=AUTH)).json()["data"]
    assert [d["uri"] for d in listed] == [second, first]
    other = await platform.api_key_for("acme")
    assert (await platform.client.get("/api/v1/ai/datasets", headers=other)).json()["data"] == []
