"""Which validator a conditional GET sends, and HTTP-dates both ways."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tracker.github.answers import ApiResponse, parse_http_date
from tracker.github.client import conditional_headers, format_http_date

UPDATED = datetime(2026, 11, 3, 10, 0, 30, tzinfo=UTC)
ETAG = 'W/"6a5d0f4c2b1e"'


def test_an_etag_is_sent_as_if_none_match() -> None:
    assert conditional_headers(ETAG, None) == {"If-None-Match": ETAG}


def test_a_date_alone_is_sent_as_if_modified_since() -> None:
    assert conditional_headers(None, UPDATED) == {"If-Modified-Since": "Tue, 03 Nov 2026 10:00:30 GMT"}


def test_with_an_etag_the_date_is_not_sent() -> None:
    # RFC 9110 has a server ignore If-Modified-Since beside If-None-Match: the ETag is the better check.
    assert conditional_headers(ETAG, UPDATED) == {"If-None-Match": ETAG}


def test_without_a_validator_the_request_is_unconditional() -> None:
    assert conditional_headers(None, None) == {}
    assert conditional_headers("", None) == {}


def test_an_http_date_is_in_gmt_and_drops_sub_seconds() -> None:
    paris = timezone(timedelta(hours=1))
    assert format_http_date(datetime(2026, 11, 3, 11, 0, 30, 999_999, tzinfo=paris)) == (
        "Tue, 03 Nov 2026 10:00:30 GMT"
    )


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        format_http_date(datetime(2026, 11, 3, 10, 0))


def test_http_dates_are_read_back_as_aware_utc() -> None:
    assert parse_http_date("Tue, 03 Nov 2026 10:00:30 GMT") == UPDATED
    assert parse_http_date("Tue, 03 Nov 2026 11:00:30 +0100") == UPDATED
    assert parse_http_date("Tue, 03 Nov 2026 10:00:30 -0000") == UPDATED


@pytest.mark.parametrize("value", [None, "", "yesterday", "Tue, 99 Nov 2026 10:00:30 GMT"])
def test_a_missing_or_unreadable_http_date_is_none(value: str | None) -> None:
    assert parse_http_date(value) is None


def test_a_response_exposes_its_last_modified_header() -> None:
    dated = ApiResponse(200, {}, {"last-modified": "Tue, 03 Nov 2026 10:00:30 GMT", "etag": ETAG}, "/")
    undated = ApiResponse(200, {}, {"etag": ETAG}, "/")

    assert dated.last_modified == UPDATED
    assert undated.last_modified is None
