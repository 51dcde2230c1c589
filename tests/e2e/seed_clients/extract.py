"""The fenced code blocks of the seed documents that hold their client examples, found by the heading above them.

`python -m tests.e2e.seed_clients.extract <seeds folder>` rewrites the copies in this folder from the seeds.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# copy in this folder -> (seed file prefix, heading above the example, fence language)
EXAMPLES = {
    "seed001_python.txt": ("001_", "### Python SDK", "python"),
    "seed001_javascript.txt": ("001_", "### JavaScript SDK", "javascript"),
    "seed004_python.txt": ("004_", "### Python Client Example", "python"),
}


def example(seeds: Path, name: str) -> str:
    """The code of the first `lang` block after `heading` in the seed, exactly as written there."""
    prefix, heading, lang = EXAMPLES[name]
    (seed,) = sorted(seeds.glob(f"{prefix}*.txt"))
    text = seed.read_text()
    after = text[text.index(heading) + len(heading) :]
    match = re.search(rf"```{lang}\n(.*?)```", after, re.S)
    assert match is not None, f"no {lang} block under {heading!r} in {seed.name}"
    return match.group(1)


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    for copy in EXAMPLES:
        (HERE / copy).write_text(example(folder, copy))
