"""``GET /audit`` refuses what its description does not allow (schemathesis, ST201 and ST101):
a day that is not ``YYYY-MM-DD`` text (``0`` read as 1970-01-01 was answered 200) and a row
number beyond the log's 64-bit integers (answered 500) are 422 in Chinese; a date field of a
body takes only ``YYYY-MM-DD`` text too."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    "query, detail",
    [
        ("until=0", "截止日期：日期格式应为 YYYY-MM-DD，而不是 '0'"),
        ("since=1700000000", "起始日期：日期格式应为 YYYY-MM-DD"),
        ("after=8574884159150942073126912", "不能大于 9223372036854775807"),
        ("before=9223372036854775808", "不能大于 9223372036854775807"),
    ],
)
def test_a_query_the_description_does_not_allow_is_422(
    client: TestClient, query: str, detail: str
) -> None:
    r = client.get(f"/api/v1/audit?{query}")
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert detail in r.json()["detail"]


def test_days_and_row_numbers_within_bounds_are_read(client: TestClient) -> None:
    ok = "since=2026-11-01&until=2026-11-30&before=9223372036854775807&after=0"
    assert client.get(f"/api/v1/audit?{ok}").status_code == 200


def test_a_body_date_that_is_a_number_is_refused(client: TestClient) -> None:
    body = {"title": "日期为数字的问题", "due": "0"}
    r = client.post("/api/v1/problems", json=body)
    assert r.status_code == 422, r.text
    assert "due：日期格式应为 YYYY-MM-DD，而不是 '0'" in r.json()["detail"]
