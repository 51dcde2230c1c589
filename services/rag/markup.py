"""Markdown and HTML text in, Sections split at headings out (each carries its heading path as context)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from services.rag.models import Section

_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


class _Outline:
    """Accumulates body lines under the current heading path and emits one Section per heading."""

    def __init__(self, title: str = "") -> None:
        self.path: list[tuple[int, str]] = [(0, title)] if title else []
        self.lines: list[str] = []
        self.sections: list[Section] = []

    def heading(self, level: int, text: str) -> None:
        self.flush()
        self.path = [(lvl, t) for lvl, t in self.path if lvl < level]
        self.path.append((level, text.strip()))

    def add(self, line: str) -> None:
        self.lines.append(line)

    def flush(self) -> None:
        body = re.sub(r"\n{3,}", "\n\n", "\n".join(self.lines)).strip()
        if body:
            heading = " > ".join(t for _, t in self.path if t)
            self.sections.append(Section(text=body, heading=heading))
        self.lines = []


def parse_markdown(text: str) -> list[Section]:
    """Split at ATX headings (`#`..`######`), ignoring `#` lines inside fenced code blocks."""
    outline = _Outline()
    in_fence = False
    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _ATX.match(line)
        if match:
            outline.heading(len(match.group(1)), match.group(2))
        else:
            outline.add(line)
    outline.flush()
    return outline.sections


_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "head"})
_BLOCK = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "blockquote", "pre", "dd", "dt"}
)
_HEADINGS = {f"h{i}": i for i in range(1, 7)}


class _HtmlText(HTMLParser):
    """Visible text of an HTML page; headings start new Sections, block tags start new lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.outline = _Outline()
        self.title = ""
        self._skip_depth = 0
        self._in_title = False
        self._heading: tuple[int, list[str]] | None = None
        self._line: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in _SKIP:
            self._skip_depth += 1
        elif tag in _HEADINGS:
            self._newline()
            self._heading = (_HEADINGS[tag], [])
        elif tag in _BLOCK:
            self._newline()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in _SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _HEADINGS and self._heading is not None:
            level, words = self._heading
            self._heading = None
            self.outline.heading(level, " ".join("".join(words).split()))
        elif tag in _BLOCK:
            self._newline()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif self._skip_depth:
            return
        elif self._heading is not None:
            self._heading[1].append(data)
        else:
            self._line.append(data)

    def _newline(self) -> None:
        line = " ".join("".join(self._line).split())
        self._line = []
        self.outline.add(line)

    def finish(self) -> list[Section]:
        self.close()
        self._newline()
        self.outline.flush()
        title = " ".join(self.title.split())
        if not title:
            return self.outline.sections
        # The page title is context for every section, the way a document name would be.
        return [
            Section(text=s.text, heading=f"{title} > {s.heading}" if s.heading else title)
            for s in self.outline.sections
        ]


def parse_html(text: str) -> list[Section]:
    parser = _HtmlText()
    parser.feed(text)
    return parser.finish()
