"""The report query's input: a period, validated, with errors that name the field."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from dorp_reporting.contracts import ReportRequest, error_reply


def test_a_year_or_all_is_accepted() -> None:
    assert ReportRequest.from_body(b'{"period": "2026"}').as_period().year == 2026
    assert ReportRequest.from_body(b'{"period": "all"}').as_period().year is None
    assert ReportRequest.from_body(b"").period == "all"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"period": "vorig jaar"}', "period"),
        (b'{"period": 2026}', "period"),
        (b'{"periode": "all"}', "periode"),
        (b"not json", "(body)"),
    ],
)
def test_bad_input_is_an_error_naming_the_field(body: bytes, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ReportRequest.from_body(body)
    reply = error_reply(caught.value)
    assert reply["errors"][0]["field"] == field
    assert reply["error"].startswith(f"{field}: ")
