"""Uploaded file bytes in, validated file type and text Sections out (pdf, csv, txt, json, md, html)."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from libs.errors import Invalid
from services.rag.markup import parse_html, parse_markdown
from services.rag.models import Section

SUPPORTED_TYPES = ("pdf", "csv", "txt", "json", "md", "html")
MAX_PDF_PAGES = 2000  # the page budget of one document (its CPU and memory budgets: services/rag/sandbox.py)
MAX_JSON_DEPTH = 64  # records this deep are no knowledge-base content; deeper ones are refused, not crashed on
_EXTENSIONS = {
    "pdf": "pdf",
    "csv": "csv",
    "txt": "txt",
    "text": "txt",
    "json": "json",
    "md": "md",
    "markdown": "md",
    "html": "html",
    "htm": "html",
}
_CONTENT_TYPES = {
    "application/pdf": "pdf",
    "text/csv": "csv",
    "application/csv": "csv",
    "text/plain": "txt",
    "application/json": "json",
    "text/markdown": "md",
    "text/x-markdown": "md",
    "text/html": "html",
}
MIME_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv",
    "txt": "text/plain",
    "json": "application/json",
    "md": "text/markdown",
    "html": "text/html",
}
# Formats we refuse by content even when the extension claims text: images, archives, office files, executables.
_BINARY_MAGIC = {
    b"\x89PNG": "png image",
    b"\xff\xd8\xff": "jpeg image",
    b"GIF8": "gif image",
    b"PK\x03\x04": "zip archive (docx/xlsx/zip)",
    b"\x1f\x8b": "gzip archive",
    b"\xd0\xcf\x11\xe0": "legacy office document",
    b"\x7fELF": "executable",
}
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f]")


class FileRejected(Invalid):
    """A per-file upload failure; `reason` is a stable machine-readable code, `message` is safe to show."""

    def __init__(self, reason: str, message: str, filename: str = "") -> None:
        super().__init__(message, {"field": "files", "reason": reason, "filename": filename})
        self.reason = reason


def check_filename(filename: str) -> str:
    """The filename as given, or FileRejected: no directories, no traversal, no control characters."""
    name = filename or ""
    if not name.strip() or name in (".", ".."):
        raise FileRejected("invalid_filename", "filename is empty", name)
    if "/" in name or "\\" in name or ".." in name or _UNSAFE_NAME.search(name):
        raise FileRejected("invalid_filename", "filename must not contain path separators or '..'", name)
    if len(name.encode()) > 255:
        raise FileRejected("invalid_filename", "filename is longer than 255 bytes", name)
    return name


def declared_type(filename: str, content_type: str | None) -> str:
    """The type the upload claims: its extension first, the multipart content type when it has none."""
    _, dot, ext = filename.rpartition(".")
    if dot and ext:
        found = _EXTENSIONS.get(ext.lower())
        if found is None:
            raise FileRejected("unsupported_type", f"unsupported file type '.{ext.lower()}'", filename)
        return found
    mime = (content_type or "").split(";")[0].strip().lower()
    if mime in _CONTENT_TYPES:
        return _CONTENT_TYPES[mime]
    raise FileRejected("unsupported_type", "file has no extension and no supported content type", filename)


def sniff(data: bytes) -> str:
    """'pdf', a binary format's name, or 'text', judged from the leading bytes only."""
    head = data[:8192]
    if b"%PDF-" in head[:1024]:
        return "pdf"
    for magic, name in _BINARY_MAGIC.items():
        if head.startswith(magic):
            return name
    return "binary data" if b"\x00" in head else "text"


def decode_text(data: bytes, filename: str = "") -> str:
    """UTF-8 text (a UTF-8 byte-order mark is dropped) or FileRejected naming the first bad byte."""
    try:
        return data.decode("utf-8-sig")  # plain UTF-8, minus a leading byte-order mark if there is one
    except UnicodeDecodeError as exc:
        raise FileRejected(
            "encoding", f"file is not UTF-8 text (invalid byte at offset {exc.start})", filename
        ) from exc


def parse_file(filename: str, content_type: str | None, data: bytes) -> tuple[str, list[Section]]:
    """Validate one upload and extract its Sections; raises FileRejected with the reason on any problem."""
    check_filename(filename)
    kind = declared_type(filename, content_type)
    if not data:
        raise FileRejected("empty", "file is empty", filename)
    found = sniff(data)
    if (kind == "pdf") != (found == "pdf") or found not in ("pdf", "text"):
        raise FileRejected("type_mismatch", f"content does not match the .{kind} type (looks like {found})", filename)
    if kind == "pdf":
        sections = parse_pdf(data, filename)
    else:
        text = decode_text(data, filename).replace("\r\n", "\n").replace("\x00", "")
        sections = _TEXT_PARSERS[kind](text, filename)
    sections = [s for s in sections if s.text.strip()]
    if not sections:
        raise FileRejected("no_text", "file contains no extractable text", filename)
    return kind, sections


def parse_pdf(data: bytes, filename: str = "") -> list[Section]:
    """One Section per page of the PDF's text layer (scanned pages without one yield nothing)."""
    from pypdf import PdfReader  # imported lazily: only uploads of PDFs pay for it

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise FileRejected("encrypted", "PDF is password-protected", filename)
        if len(reader.pages) > MAX_PDF_PAGES:
            raise FileRejected("too_many_pages", f"PDF has more than {MAX_PDF_PAGES} pages", filename)
        pages = [page.extract_text() or "" for page in reader.pages]
    except FileRejected:
        raise
    except Exception as exc:  # pypdf raises many unrelated exception types on malformed input
        raise FileRejected("corrupt", "PDF is corrupt or unreadable", filename) from exc
    return [Section(text=_squeeze(text)) for text in pages if text.strip()]


def parse_txt(text: str, filename: str = "") -> list[Section]:
    return [Section(text=text.strip())]


def parse_csv(text: str, filename: str = "") -> list[Section]:
    """One atomic Section per row; with a header row each value is labelled "column: value"."""
    try:
        sample = text[:16384]
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        rows = [row for row in csv.reader(io.StringIO(text), dialect) if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise FileRejected("corrupt", f"CSV could not be parsed: {exc}", filename) from exc
    if not rows:
        return []
    header = rows[0] if _looks_like_header(rows) else None
    body = rows[1:] if header else rows
    return [Section(text=_csv_row(header, row), atomic=True) for row in body]


def _looks_like_header(rows: list[list[str]]) -> bool:
    """A first row of distinct, non-empty, non-numeric labels above at least one data row."""
    first = [cell.strip() for cell in rows[0]]
    if len(rows) < 2 or not all(first) or len(set(first)) != len(first):
        return False
    return not any(_is_number(cell) for cell in first)


def _is_number(cell: str) -> bool:
    try:
        float(cell.replace(",", ""))
    except ValueError:
        return False
    return True


def _csv_row(header: list[str] | None, row: list[str]) -> str:
    if header is None:
        return " | ".join(cell.strip() for cell in row if cell.strip())
    pairs = []
    for i, cell in enumerate(row):
        name = header[i].strip() if i < len(header) else f"column {i + 1}"
        if cell.strip():
            pairs.append(f"{name}: {cell.strip()}")
    return "\n".join(pairs)


def parse_json(text: str, filename: str = "") -> list[Section]:
    """Records (list items, or items of a top-level key holding a list) become atomic "path: value" Sections."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileRejected("corrupt", f"invalid JSON at line {exc.lineno} column {exc.colno}", filename) from exc
    except RecursionError as exc:  # nesting past the decoder's own limit
        raise FileRejected("too_deep", f"JSON nested deeper than {MAX_JSON_DEPTH} levels", filename) from exc
    if _depth(value) > MAX_JSON_DEPTH:  # _flatten recurses: refuse what it could not walk
        raise FileRejected("too_deep", f"JSON nested deeper than {MAX_JSON_DEPTH} levels", filename)
    if isinstance(value, list):
        return [Section(text=_flatten(item), atomic=True) for item in value]
    if not isinstance(value, dict):
        return [Section(text=str(value))]
    sections: list[Section] = []
    loose: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, list) and item and all(isinstance(x, dict) for x in item):
            sections.extend(Section(text=_flatten(x), heading=str(key), atomic=True) for x in item)
        else:
            loose[key] = item
    if loose:
        sections.insert(0, Section(text=_flatten(loose), atomic=True))
    return sections


def _depth(value: Any) -> int:
    """Nesting depth of parsed JSON, walked iteratively (a hostile file cannot exhaust the recursion limit here)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_JSON_DEPTH:
                break
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _flatten(value: Any, prefix: str = "") -> str:
    if isinstance(value, dict):
        parts = [_flatten(v, f"{prefix}.{k}" if prefix else str(k)) for k, v in value.items()]
        return "\n".join(p for p in parts if p)
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            joined = ", ".join(str(v) for v in value if v is not None)
            return f"{prefix}: {joined}" if prefix else joined
        return "\n".join(p for p in (_flatten(v, prefix) for v in value) if p)
    if value is None or value == "":
        return ""
    return f"{prefix}: {value}" if prefix else str(value)


def _squeeze(text: str) -> str:
    """Collapse the runs of spaces and blank lines PDF text extraction leaves behind."""
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()


_TEXT_PARSERS = {
    "txt": parse_txt,
    "csv": parse_csv,
    "json": parse_json,
    "md": lambda text, filename="": parse_markdown(text),
    "html": lambda text, filename="": parse_html(text),
}
