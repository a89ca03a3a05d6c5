"""Property-based fuzzing of the HTTP API: schemathesis generates requests from the OpenAPI schema that a real
`nmt serve` serves, and checks every answer against that schema.

    python scripts/fuzz.py [--requests 2000] [--model DIR] [--seed 0]

Each operation gets schema-valid (positive) and schema-breaking (negative) requests, round after round, until
--requests were sent. Prints the requests sent, the answers by status, the 5xx answers and the schema violations
(an answer whose status, content type, headers or body the schema does not allow); exits 1 unless both are 0.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from nmt.scripts.harness import Server, add_model_args, model_of

SCHEMA_CHECKS = [status_code_conformance, content_type_conformance, response_headers_conformance,
                 response_schema_conformance]
CALL_TIMEOUT_S = 60
API_KEY = "fuzz-key"  # the server requires it, so that the key checks are fuzzed too (the api_key field)


@dataclass
class Tally:
    sent: int = 0
    statuses: Counter = field(default_factory=Counter)
    server_errors: int = 0
    violations: int = 0
    findings: Counter = field(default_factory=Counter)  # (operation -> status, what) -> count
    examples: dict = field(default_factory=dict)  # the first request of each finding

    def record(self, case, response) -> None:
        self.sent += 1
        self.statuses[response.status_code] += 1
        where = f"{case.operation.label} -> {response.status_code}"
        if response.status_code >= 500:
            self.server_errors += 1
            self._note(where, f"server error: {response.text[:200]}", case)
        try:
            case.validate_response(response, checks=SCHEMA_CHECKS)
        except FailureGroup as group:
            self.violations += len(group.exceptions)
            for failure in group.exceptions:
                self._note(where, f"{failure.title}: {' '.join(failure.message.split())[:200]}", case)

    def _note(self, where: str, what: str, case) -> None:
        self.findings[where, what] += 1
        self.examples.setdefault((where, what), case.as_curl_command()[:400])


def fuzz(base_url: str, requests_wanted: int, first_seed: int = 0) -> Tally:
    """Rounds over every (operation, generation mode) until requests_wanted requests were sent; the server
    must accept API_KEY."""
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    operations = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):  # an operation schemathesis cannot read: the served schema is broken
            raise result.err()
        operations.append(result.ok())
    # schemathesis needs Python 3.11 (its GenerationMode is an enum.StrEnum); mypy checks for the package's 3.10
    runs = [(operation, mode) for operation in operations for mode in GenerationMode]  # type: ignore[attr-defined]
    tally = Tally()
    with requests.Session() as session:
        session.headers["X-API-Key"] = API_KEY
        for round_seed in range(first_seed, first_seed + 1000):
            left = requests_wanted - tally.sent
            if left <= 0:
                break
            for operation, mode in runs:
                examples = max(1, -(-left // len(runs)))
                fuzz_one(operation.as_strategy(generation_mode=mode), examples, round_seed,
                         lambda case: tally.record(case, case.call(base_url=base_url, session=session,
                                                                   timeout=CALL_TIMEOUT_S)))
    return tally


def fuzz_one(strategy, examples: int, round_seed: int, send) -> None:
    """Send up to `examples` generated cases; nothing is raised, so Hypothesis neither stops nor shrinks."""

    @seed(round_seed)
    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet)
    @given(strategy)
    def run(case) -> None:
        send(case)

    try:
        run()
    except Unsatisfiable:  # a negative run of an operation without parameters: nothing to break
        pass


def report(tally: Tally, seconds: float) -> None:
    statuses = ", ".join(f"{status}: {n}" for status, n in sorted(tally.statuses.items()))
    print(f"requests sent: {tally.sent} in {seconds:.0f} s ({statuses})")
    print(f"5xx answers: {tally.server_errors}")
    print(f"schema violations: {tally.violations}")
    for (where, what), n in tally.findings.most_common():
        print(f"  {n} x {where}: {what}\n    e.g. {tally.examples[where, what]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="requests to send, at least (default: 2000)")
    parser.add_argument("--seed", type=int, default=0, help="first Hypothesis seed (default: 0)")
    add_model_args(parser)
    args = parser.parse_args()
    model = model_of(args)
    with Server(model, args.work / "fuzz-server.log", NMT_API_KEYS=API_KEY) as server:
        start = time.monotonic()
        tally = fuzz(server.url, args.requests, args.seed)
        report(tally, time.monotonic() - start)
    return 0 if tally.server_errors == tally.violations == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
