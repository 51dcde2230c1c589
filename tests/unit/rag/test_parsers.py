"""Parsers: type detection, mislabelled and broken files, and the text each format yields."""

from __future__ import annotations

import json

import pytest

from services.rag.parsers import FileRejected, check_filename, decode_text, parse_file
from tests.support.documents import minimal_pdf


def reason(filename: str, data: bytes, content_type: str | None = None) -> str:
    with pytest.raises(FileRejected) as caught:
        parse_file(filename, content_type, data)
    return caught.value.reason


def test_pdf_text_layer_is_extracted() -> None:
    kind, sections = parse_file("manual.pdf", "application/pdf", minimal_pdf("Refunds take five business days"))
    assert kind == "pdf"
    assert "Refunds take five business days" in sections[0].text


def test_corrupt_pdf_is_rejected() -> None:
    broken = minimal_pdf("hello")[:60]
    assert reason("broken.pdf", broken) == "corrupt"


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("notes.pdf", b"just some plain text pretending to be a pdf"),
        ("notes.txt", minimal_pdf("a pdf pretending to be text")),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        ("report.txt", b"PK\x03\x04\x14\x00\x06\x00"),
    ],
)
def test_mislabelled_content_is_rejected(filename: str, data: bytes) -> None:
    assert reason(filename, data) == "type_mismatch"


@pytest.mark.parametrize("name", ["../etc/passwd", "a/b.txt", "c:\\x\\y.txt", "..", "", "bad\x00name.txt", "x..txt"])
def test_filenames_with_paths_or_traversal_are_rejected(name: str) -> None:
    with pytest.raises(FileRejected) as caught:
        check_filename(name)
    assert caught.value.reason == "invalid_filename"


def test_empty_unsupported_and_non_utf8_files() -> None:
    assert reason("empty.txt", b"") == "empty"
    assert reason("whitespace.txt", b"   \n\t ") == "no_text"
    assert reason("program.exe", b"MZ\x90\x00") == "unsupported_type"
    assert reason("latin1.txt", "café au lait".encode("latin-1")) == "encoding"


def test_utf8_bom_is_accepted_and_dropped() -> None:
    assert decode_text("\ufeffhello".encode()) == "hello"
    _, sections = parse_file("bom.txt", None, "\ufeffDelivery is free".encode())
    assert sections[0].text == "Delivery is free"


def test_content_type_is_used_only_without_extension() -> None:
    kind, _ = parse_file("README", "text/markdown", b"# Title\nbody")
    assert kind == "md"


def test_csv_rows_become_labelled_atomic_passages() -> None:
    data = b"plan,price,support\nBasic,10,email\nPro,25,phone and email\n"
    kind, sections = parse_file("plans.csv", "text/csv", data)
    assert kind == "csv"
    assert [s.text for s in sections] == [
        "plan: Basic\nprice: 10\nsupport: email",
        "plan: Pro\nprice: 25\nsupport: phone and email",
    ]
    assert all(s.atomic for s in sections)


def test_csv_without_header_keeps_raw_values_and_semicolons_are_sniffed() -> None:
    _, sections = parse_file("numbers.csv", None, b"1;2;3\n4;5;6\n")
    assert [s.text for s in sections] == ["1 | 2 | 3", "4 | 5 | 6"]


def test_json_records_and_invalid_json() -> None:
    data = json.dumps({"company": "Acme", "faqs": [{"q": "Hours?", "a": "9-5"}, {"q": "Phone?", "a": "555"}]})
    _, sections = parse_file("faq.json", None, data.encode())
    texts = [s.text for s in sections]
    assert texts == ["company: Acme", "q: Hours?\na: 9-5", "q: Phone?\na: 555"]
    assert sections[1].heading == "faqs"
    assert reason("bad.json", b'{"a": 1,') == "corrupt"


def test_markdown_splits_at_headings_but_not_inside_code_fences() -> None:
    text = "# Guide\nintro\n## Reset\nclick reset\n```\n# not a heading\n```\n## Billing\npay monthly\n"
    _, sections = parse_file("guide.md", None, text.encode())
    assert [s.heading for s in sections] == ["Guide", "Guide > Reset", "Guide > Billing"]
    assert "# not a heading" in sections[1].text


def test_html_visible_text_only_with_title_context() -> None:
    html = (
        b"<html><head><title>Help</title><style>p{color:red}</style></head><body>"
        b"<h1>Shipping</h1><p>Orders ship in 2 days.</p><script>alert('x')</script>"
        b"<h2>Returns</h2><p>30 day returns &amp; refunds.</p></body></html>"
    )
    _, sections = parse_file("help.html", "text/html", html)
    assert [(s.heading, s.text) for s in sections] == [
        ("Help > Shipping", "Orders ship in 2 days."),
        ("Help > Shipping > Returns", "30 day returns & refunds."),
    ]


def test_upload_size_limit_is_a_typed_too_large() -> None:
    from libs.errors import TooLarge
    from services.rag.domain import check_upload_size
    from services.rag.models import MAX_FILE_BYTES

    check_upload_size(MAX_FILE_BYTES - 1)
    with pytest.raises(TooLarge) as caught:
        check_upload_size(MAX_FILE_BYTES, "big.pdf")
    assert caught.value.details["field"] == "files" and caught.value.details["limit"] == MAX_FILE_BYTES


@pytest.mark.parametrize("levels", [65, 500, 100_000])
def test_deeply_nested_json_is_refused_cleanly(levels: int) -> None:
    # Issue 20: 500 levels failed indexing with a RecursionError; any depth is now a typed refusal.
    data = ("[" * levels + "]" * levels).encode()
    assert reason("deep.json", data) == "too_deep"


def test_json_at_the_depth_limit_is_indexed() -> None:
    value: object = {"answer": "call the VIP hotline"}
    for _ in range(62):
        value = {"level": value}
    kind, sections = parse_file("deep.json", None, json.dumps(value).encode())
    assert kind == "json" and "call the VIP hotline" in sections[0].text
