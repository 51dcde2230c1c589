"""Every hand-written module under libs/ and services/ stays at or under 300 lines (ARCHITECTURE.md, issue 17
point 7): a module that grows past it is split by cohesion. Generated code (libs/contracts/models/) is exempt."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ROOTS = ("libs", "services")
GENERATED = (Path("libs/contracts/models"),)
MAX_LINES = 300


def oversized(repo: Path, roots: tuple[str, ...] = ROOTS, limit: int = MAX_LINES) -> dict[str, int]:
    """Hand-written .py modules under `roots` longer than `limit` lines, as {repo-relative path: lines}."""
    found: dict[str, int] = {}
    for root in roots:
        for path in sorted((repo / root).rglob("*.py")):
            relative = path.relative_to(repo)
            if any(relative.is_relative_to(skip) for skip in GENERATED):
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > limit:
                found[relative.as_posix()] = lines
    return found


def test_no_hand_written_module_exceeds_the_limit() -> None:
    assert oversized(REPO) == {}, f"split these modules by cohesion (limit {MAX_LINES} lines)"


def test_the_scan_sees_an_oversized_module_and_skips_generated_ones(tmp_path: Path) -> None:
    (tmp_path / "services" / "svc").mkdir(parents=True)
    (tmp_path / "libs" / "contracts" / "models").mkdir(parents=True)
    (tmp_path / "services" / "svc" / "big.py").write_text("x = 1\n" * (MAX_LINES + 1))
    (tmp_path / "services" / "svc" / "ok.py").write_text("x = 1\n" * MAX_LINES)
    (tmp_path / "libs" / "contracts" / "models" / "gen.py").write_text("x = 1\n" * 1000)
    assert oversized(tmp_path) == {"services/svc/big.py": MAX_LINES + 1}
