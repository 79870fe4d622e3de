"""Schema fuzzing of the whole JSON API (schemathesis over /api/v1/openapi.json), for every operation as two
roles (a township clerk and the county establishment office): no server error, every status code documented,
every answer valid against the published schema. Bounded: a few examples per operation (TIAOKUAI_FUZZ_EXAMPLES)."""

import os
import sys
from collections import Counter

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, Phase, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tiaokuai.config.wsgi import application  # noqa: E402

EXAMPLES = int(os.environ.get("TIAOKUAI_FUZZ_EXAMPLES", "4"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ROLES = ["township", "establishment_office"]
FIGURES: Counter = Counter()

# The coverage phase (boundary values, wrong types, missing fields: every case the schema defines) without its
# "unexpected HTTP method" probes, which only exercise the framework's 405 and double the run time.
CONFIG = schemathesis.config.SchemathesisConfig.from_dict({"phases": {"coverage": {"unexpected-methods": []}}})
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    operations = sum(1 for key in FIGURES if key.startswith("op "))
    sys.stderr.write(f"\nAPI fuzz: {FIGURES['cases']} cases, {FIGURES['requests']} requests, {operations} "
                     f"operations, {FIGURES['server_errors']} server errors\n")


@pytest.fixture
def _keep_connection():
    """Like Django's test client: the WSGI calls must not close the test's database connection (and with it the
    test transaction) at the end of each request."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def role_headers(county, _keep_connection):
    from django.utils import timezone

    from tiaokuai.core.services import token_issue

    # Tokens straight from the service: a request through Django's test client would reconnect the signal.
    return {role: {"Authorization": f"Bearer {token_issue(user=county.users[role], at=timezone.now())}"}
            for role in ROLES}


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
def test_given_any_generated_request_when_called_as_each_role_then_no_5xx_and_schema_conformant(case, role_headers):
    FIGURES["cases"] += 1
    FIGURES[f"op {case.operation.label}"] = 1
    for role in ROLES:
        response = case.call(headers=role_headers[role])
        FIGURES["requests"] += 1
        if response.status_code >= 500:
            FIGURES["server_errors"] += 1
        case.validate_response(response, checks=CHECKS)
