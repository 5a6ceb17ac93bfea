"""The spec's schemas (2026-02-01 ``bms.json``) for the bodies the emulator accepts and answers.

``assert_answer_valid("ResourceGuardProxyBaseResourceList", body)`` checks an answer (read-only properties kept);
``assert_request_valid("ILRRequestResource", body)`` a request (read-only properties refused). Both refuse a
property the spec does not name.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema
from test_restore_bodies import BMS, SwaggerSchemas


@cache
def _validator(name: str, answer: bool) -> jsonschema.Draft7Validator:
    schema = SwaggerSchemas(BMS, keep_read_only=answer).schema(name)
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def _check(name: str, body: Any, answer: bool) -> None:
    errors = sorted(_validator(name, answer).iter_errors(body), key=str)
    assert not errors, f"{name}: " + "\n".join(f"{list(e.path)}: {e.message[:300]}" for e in errors)


def assert_answer_valid(name: str, body: Any) -> None:
    """Fail unless ``body`` is a valid ``name`` answer of the spec."""
    _check(name, body, True)


def assert_request_valid(name: str, body: Any) -> None:
    """Fail unless ``body`` is a valid ``name`` request body of the spec."""
    _check(name, body, False)
