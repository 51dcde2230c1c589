"""Schemathesis over every operation of a running gateway's /openapi.json (issue 20 #7): a few generated requests
per operation with the given credentials; every 5xx is kept with its reproduction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase


@dataclass
class Fuzzed:
    operations: int
    calls: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    server_errors: dict[str, str] = field(default_factory=dict)  # operation -> its first 5xx as a curl command
    violations: dict[str, str] = field(default_factory=dict)  # operation -> the first thing `inspect` objected to


# Looks at one answer; returns what is wrong with it, or None.
Inspect = Callable[[schemathesis.Case, object], str | None]


def fuzz_every_operation(url: str, headers: dict[str, str], *, examples: int, inspect: Inspect | None = None) -> Fuzzed:
    """At most `examples` generated requests on every operation, with `headers`; `inspect` also judges each answer."""
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    found = Fuzzed(operations=len(operations))

    for operation in operations:

        @hypothesis.settings(
            max_examples=examples,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @hypothesis.given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            resp = case.call(base_url=url, headers=headers, timeout=60)
            found.calls += 1
            found.statuses[resp.status_code] = found.statuses.get(resp.status_code, 0) + 1
            if resp.status_code >= 500:
                reproduction = f"{resp.status_code}: {case.as_curl_command()}"[:400]
                found.server_errors.setdefault(case.operation.label, reproduction)
            wrong = inspect(case, resp) if inspect is not None else None
            if wrong is not None:
                found.violations.setdefault(case.operation.label, wrong)

        check()
    return found
