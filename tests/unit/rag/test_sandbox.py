"""Issue 20 #3: every uploaded document is parsed in its own worker process within a per-document CPU budget, so
a tiny file that expands into endless content-stream work is refused in seconds instead of holding an indexing
slot."""

from __future__ import annotations

import time
import zlib

import pytest

from services.rag.parsers import FileRejected
from services.rag.sandbox import ParseBudget, parse_document
from tests.support.documents import minimal_pdf

BUDGET = ParseBudget(base_cpu_s=1.0, cpu_s_per_mb=0.0)


def costly_pdf(pages: int = 3, operators: int = 300_000) -> bytes:
    """`pages` pages sharing one Flate content stream of no-op operators: ~2 KB that take pypdf ~7 s in-process."""
    stream = zlib.compress(b"BT /F1 12 Tf 72 720 Td (hello) Tj ET " + b"q Q " * operators)
    kids = " ".join(f"{5 + i} 0 R" for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids.encode() + b"] /Count %d >>" % pages,
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
    page += b"/Resources << /Font << /F1 4 0 R >> >> >>"
    objects += [page] * pages
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_a_pdf_over_its_cpu_budget_is_refused_quickly() -> None:
    data = costly_pdf()
    assert len(data) < 40_000
    started = time.monotonic()
    with pytest.raises(FileRejected) as refused:
        parse_document("bomb.pdf", "application/pdf", data, BUDGET)
    assert refused.value.reason == "too_costly"
    assert time.monotonic() - started < 8  # 1 s of CPU, plus the worker's start; not the ~25 s it used to take


def test_a_normal_pdf_parses_in_the_worker() -> None:
    kind, sections = parse_document("ok.pdf", None, minimal_pdf("Refunds take five business days"), BUDGET)
    assert kind == "pdf" and "Refunds take five business days" in sections[0].text


def test_a_rejection_inside_the_worker_keeps_its_reason() -> None:
    with pytest.raises(FileRejected) as refused:
        parse_document("broken.pdf", None, minimal_pdf("hello")[:60], BUDGET)
    assert refused.value.reason == "corrupt"


def test_budget_grows_with_size_up_to_its_cap() -> None:
    budget = ParseBudget(base_cpu_s=2, cpu_s_per_mb=1, max_cpu_s=10)
    assert [budget.cpu_s(n) for n in (7_000, 3_000_000, 50_000_000)] == [2, 5, 10]


@pytest.mark.parametrize(
    ("name", "data"),
    [("faq.txt", b"Refunds take five business days."), ("faq.json", b'{"q": "refunds", "a": "five days"}')],
)
def test_every_format_is_parsed_in_the_worker_not_in_the_service(
    name: str, data: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    def in_this_process(*_: object) -> None:
        raise AssertionError("parsed inside the service process")

    # The worker is a fresh interpreter (spawn): it parses with the real parser; this process would fail.
    monkeypatch.setattr("services.rag.sandbox.parse_file", in_this_process)
    kind, sections = parse_document(name, None, data, BUDGET)
    assert kind in ("txt", "json") and sections
