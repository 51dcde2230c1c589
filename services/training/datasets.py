"""Uploaded bytes in, a validated labelled dataset (rows of text + label, counts, content hash) out; no I/O."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter
from dataclasses import dataclass
from typing import Literal

from libs.errors import Invalid

MAX_DATASET_BYTES = 50 * 1024 * 1024  # the per-file limit; the gateway refuses larger bodies mid-stream
MAX_TEXT_CHARS = 20_000
MAX_LABEL_CHARS = 200
REQUIRED = ("text", "label")

Format = Literal["csv", "jsonl"]


@dataclass(frozen=True)
class Dataset:
    texts: list[str]
    labels: list[str]
    format: Format

    @property
    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(self.labels).items()))

    @property
    def sha256(self) -> str:
        """Hash of the normalized rows: the same rows uploaded as CSV or JSONL share one embedding cache entry."""
        digest = hashlib.sha256()
        for text, label in zip(self.texts, self.labels, strict=True):
            digest.update(json.dumps([text, label], ensure_ascii=False).encode())
            digest.update(b"\n")
        return digest.hexdigest()


def _refuse(message: str, **details: object) -> Invalid:
    return Invalid(message, {"field": "file", **details})


def check_size(size: int) -> None:
    if size > MAX_DATASET_BYTES:
        raise _refuse(f"dataset exceeds the {MAX_DATASET_BYTES // (1024 * 1024)} MB limit", size=size)


def parse_dataset(filename: str, data: bytes) -> Dataset:
    """Parse a CSV (header with text,label) or JSONL ({"text", "label"} per line) file; Invalid names the problem."""
    check_size(len(data))
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse("dataset is not UTF-8 text", byte_offset=exc.start) from exc
    if "\x00" in content:
        raise _refuse("dataset is not a CSV or JSONL text file (it contains NUL bytes)")
    fmt = _detect_format(filename, content)
    texts, labels = _read_jsonl(content) if fmt == "jsonl" else _read_csv(content)
    if not texts:
        raise _refuse("dataset has no rows")
    if len(set(labels)) < 2:
        raise _refuse("dataset has only one label; a classifier needs at least two", labels=sorted(set(labels)))
    return Dataset(texts=texts, labels=labels, format=fmt)


def _detect_format(filename: str, content: str) -> Format:
    lower = filename.lower()
    if lower.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if lower.endswith((".csv", ".tsv")):
        return "csv"
    first = next((line.strip() for line in content.splitlines() if line.strip()), "")
    if first.startswith("{"):
        return "jsonl"
    if "," in first or "\t" in first:
        return "csv"
    raise _refuse("dataset is neither CSV (a text,label header) nor JSONL", filename=filename)


def _row(text: object, label: object, where: str) -> tuple[str, str]:
    if not isinstance(text, str) or not text.strip():
        raise _refuse(f"{where}: text is empty or not a string")
    if isinstance(label, bool) or not isinstance(label, (str, int)) or not str(label).strip():
        raise _refuse(f"{where}: label is empty or not a string")
    text, label = text.strip(), str(label).strip()
    if len(text) > MAX_TEXT_CHARS or len(label) > MAX_LABEL_CHARS:
        raise _refuse(f"{where}: text over {MAX_TEXT_CHARS} or label over {MAX_LABEL_CHARS} characters")
    return text, label


def _read_jsonl(content: str) -> tuple[list[str], list[str]]:
    texts: list[str] = []
    labels: list[str] = []
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _refuse(f"line {number} is not valid JSON; the file is not JSONL", line=number) from exc
        if not isinstance(record, dict):
            raise _refuse(f"line {number} is not a JSON object", line=number)
        missing = [key for key in REQUIRED if key not in record]
        if missing:
            raise _refuse(f"line {number} is missing {', '.join(missing)}", missing=missing, line=number)
        text, label = _row(record["text"], record["label"], f"line {number}")
        texts.append(text)
        labels.append(label)
    return texts, labels


def _read_csv(content: str) -> tuple[list[str], list[str]]:
    # The delimiter comes from the header line alone: csv.Sniffer guesses from the rows too, and text full of
    # commas and quotes (BANKING77) made it pick a wrong quote character.
    header_line = content.split("\n", 1)[0]
    delimiter = next((d for d in (",", "\t", ";") if d in header_line), ",")
    reader = csv.DictReader(io.StringIO(content, newline=""), delimiter=delimiter)
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [key for key in REQUIRED if key not in header]
    if missing:
        raise _refuse(f"CSV header is missing the column(s) {', '.join(missing)}", missing=missing, header=header)
    reader.fieldnames = header
    texts: list[str] = []
    labels: list[str] = []
    try:
        for record in reader:
            where = f"row {reader.line_num}"
            text, label = _row(record.get("text"), record.get("label"), where)
            texts.append(text)
            labels.append(label)
    except csv.Error as exc:
        raise _refuse(f"the file is not valid CSV: {exc}") from exc
    return texts, labels
