"""Schemathesis over the OpenAPI schema, with every role's key: no request may cause a server error.

Each operation gets a bounded number of generated requests (valid ones, and invalid ones that must
be refused with a 4xx), each sent with a key drawn from every role, against a store holding a
small network with an open case, on SQLite and PostgreSQL. The seed is fixed (derandomize) so a
failure reproduces.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from review_helpers import ROLES, load_network, running


def _schemathesis() -> Any:
    try:
        import schemathesis as sch
    except ImportError:  # pragma: no cover
        from conftest import missing

        missing("schemathesis (pip install '.[dev]')")
    return sch


POSITIVE_EXAMPLES = 5
NEGATIVE_EXAMPLES = 2


def test_no_server_error_for_any_role(db_url):
    sch = _schemathesis()
    from schemathesis import GenerationMode

    with running(db_url) as svc:
        load_network(svc)
        schema = sch.openapi.from_asgi("/openapi.json", svc.app)
        keys = {role: svc.keys[role] for role in ROLES}
        failures: list[str] = []
        seen = 0
        for result in schema.get_all_operations():
            op = result.ok()
            for mode, n in (
                (GenerationMode.POSITIVE, POSITIVE_EXAMPLES),
                (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES),
            ):
                strategy = op.as_strategy(generation_mode=mode)

                @settings(
                    max_examples=n,
                    deadline=None,
                    derandomize=True,
                    database=None,
                    suppress_health_check=list(HealthCheck),
                )
                @given(case=strategy)
                def run(case: Any) -> None:
                    nonlocal seen
                    for role in ROLES:  # the same request with every role's key
                        headers = dict(case.headers or {})
                        headers["X-API-Key"] = keys[role]
                        resp = case.call(headers=headers)
                        seen += 1
                        if resp.status_code >= 500:
                            failures.append(
                                f"{case.method} {case.path} as {role} -> {resp.status_code}: "
                                f"{resp.text[:300]} (case: {case.path_parameters} {case.query} "
                                f"{str(case.body)[:200]})"
                            )

                try:
                    run()
                except Unsatisfiable:
                    # nothing to make invalid (an operation without parameters or body)
                    assert mode == GenerationMode.NEGATIVE, f"{op.method} {op.path}"
        print(f"{seen} requests")
        assert seen > 400
        assert not failures, "\n".join(failures[:20])
