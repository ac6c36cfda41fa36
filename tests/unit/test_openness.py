import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tracker.domain import RepoRecord
from tracker.openness import (
    NO_ASSERTION,
    LicenseClass,
    ModelOpenness,
    RepoOpenness,
    assess_repo,
    assess_stored_repo,
    claims_open_source,
    classify_spdx_id,
    is_open_washing,
    license_class_of,
    license_spdx_id,
    openness_report_key,
    parse_openness_annotation,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "github"
SEEN_AT = datetime(2025, 7, 1, 9, 30, tzinfo=UTC)


def load_repo(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"repo_{name}.json").read_text(encoding="utf-8"))
    return data


def assess_fixture(name: str, annotation: ModelOpenness | None = None) -> RepoOpenness:
    repo = load_repo(name)
    return assess_repo(repo["full_name"], repo["license"], repo["description"], repo["topics"], annotation)


def record(full_name: str, license_spdx: str | None = "Apache-2.0") -> RepoRecord:
    return RepoRecord(
        full_name=full_name,
        exists=True,
        private=False,
        fork=False,
        archived=False,
        stars=10,
        topics=(),
        description=None,
        license_spdx=license_spdx,
        has_license=license_spdx is not None,
        html_url=f"https://github.com/{full_name}",
        fetched_at=SEEN_AT,
    )


def a_repo(full_name: str, license_class: LicenseClass, *, open_washing: bool = False) -> RepoOpenness:
    return RepoOpenness(full_name, None, license_class, open_washing, None)


# --- license classes ------------------------------------------------------------------------


def test_license_class_values_are_the_stored_strings() -> None:
    assert [member.value for member in LicenseClass] == ["osi", "not-osi", "unknown", "none"]


@pytest.mark.parametrize("spdx_id", ["MIT", "Apache-2.0", "BSD-3-Clause", "GPL-3.0-only", "MPL-2.0"])
def test_osi_approved_id_is_osi(spdx_id: str) -> None:
    assert classify_spdx_id(spdx_id) is LicenseClass.OSI


@pytest.mark.parametrize("spdx_id", ["CC-BY-NC-4.0", "BUSL-1.1", "CC-BY-4.0", "CC0-1.0", "WTFPL"])
def test_listed_id_without_osi_approval_is_not_osi(spdx_id: str) -> None:
    assert classify_spdx_id(spdx_id) is LicenseClass.NOT_OSI


def test_noassertion_is_unknown() -> None:
    assert classify_spdx_id(NO_ASSERTION) is LicenseClass.UNKNOWN


@pytest.mark.parametrize("spdx_id", ["Llama-3-Community", "LicenseRef-acme-model-license", "", "  "])
def test_id_missing_from_the_spdx_list_is_unknown(spdx_id: str) -> None:
    assert classify_spdx_id(spdx_id) is LicenseClass.UNKNOWN


def test_no_license_id_is_none() -> None:
    assert classify_spdx_id(None) is LicenseClass.NONE


@pytest.mark.parametrize("spdx_id", ["mit", "APACHE-2.0", " Apache-2.0 ", "cc-by-nc-4.0"])
def test_ids_match_case_insensitively(spdx_id: str) -> None:
    assert classify_spdx_id(spdx_id) is classify_spdx_id(spdx_id.strip().upper())
    assert classify_spdx_id(spdx_id) is not LicenseClass.UNKNOWN


@pytest.mark.parametrize(
    ("deprecated_id", "expected"),
    [("GPL-3.0", LicenseClass.OSI), ("LGPL-2.1", LicenseClass.OSI), ("GFDL-1.3", LicenseClass.NOT_OSI)],
)
def test_deprecated_ids_github_still_reports_keep_their_osi_flag(
    deprecated_id: str, expected: LicenseClass
) -> None:
    assert classify_spdx_id(deprecated_id) is expected


def test_null_license_object_is_none() -> None:
    assert classify_spdx_id(license_spdx_id(None)) is LicenseClass.NONE


def test_license_object_with_noassertion_is_unknown() -> None:
    assert classify_spdx_id(license_spdx_id(load_repo("llama3")["license"])) is LicenseClass.UNKNOWN


@pytest.mark.parametrize("spdx_id", [None, "", "   "])
def test_license_object_without_spdx_id_is_unknown_not_none(spdx_id: str | None) -> None:
    license_obj = {"key": "other", "name": "Other", "spdx_id": spdx_id, "url": None}

    assert classify_spdx_id(license_spdx_id(license_obj)) is LicenseClass.UNKNOWN
    assert license_spdx_id(license_obj) == NO_ASSERTION


def test_license_object_missing_spdx_id_key_is_unknown() -> None:
    assert classify_spdx_id(license_spdx_id({"key": "other", "name": "Other"})) is LicenseClass.UNKNOWN


@pytest.mark.parametrize(
    ("fixture", "expected_id", "expected_class"),
    [
        ("transformers", "Apache-2.0", LicenseClass.OSI),
        ("cc_by_dataset", "CC-BY-4.0", LicenseClass.NOT_OSI),
        ("llama3", "NOASSERTION", LicenseClass.UNKNOWN),
        ("unlicensed", None, LicenseClass.NONE),
    ],
)
def test_license_of_github_repo_fixtures(
    fixture: str, expected_id: str | None, expected_class: LicenseClass
) -> None:
    license_obj = load_repo(fixture)["license"]

    assert license_spdx_id(license_obj) == expected_id
    assert classify_spdx_id(license_spdx_id(license_obj)) is expected_class


def test_a_repo_without_license_is_none_and_an_unknown_repo_unknown() -> None:
    assert license_class_of(record("a/b", None)) is LicenseClass.NONE
    assert license_class_of(record("a/b", "CC-BY-NC-4.0")) is LicenseClass.NOT_OSI
    assert license_class_of(None) is LicenseClass.UNKNOWN


def test_a_stored_license_without_id_is_unknown_like_in_the_repo_json() -> None:
    assert license_class_of(replace(record("a/b", None), has_license=True)) is LicenseClass.UNKNOWN
    assert license_class_of(record("a/b", NO_ASSERTION)) is LicenseClass.UNKNOWN
    assert license_class_of(record("a/b", "mit")) is LicenseClass.OSI


# --- open-source claims and open-washing ---------------------------------------------------


@pytest.mark.parametrize(
    "description",
    [
        "An Open Source LLM",
        "open-source inference server",
        "The OpenSource toolkit",
        "Open source.",
        "We open-sourced our 7B model",
        "Open sourcing the eval harness",
        "Fully open\u2011source weights",
        "open_source reimplementation",
    ],
)
def test_description_claiming_open_source(description: str) -> None:
    assert claims_open_source(description, [])


@pytest.mark.parametrize(
    "description",
    [
        None,
        "",
        "Inference code for Llama models",
        "Aggregates news from open sources",
        "Open weights, source available on request",
        "reopensourced",
        "opensourcery",
    ],
)
def test_description_not_claiming_open_source(description: str | None) -> None:
    assert not claims_open_source(description, [])


@pytest.mark.parametrize("topic", ["opensource", "open-source", "open-source-llm", "OPEN-SOURCE"])
def test_topic_claiming_open_source(topic: str) -> None:
    assert claims_open_source(None, ["llm", topic])


def test_topics_not_claiming_open_source() -> None:
    assert not claims_open_source("Agent toolkit", ["llm", "open-weights", "sources"])


def test_negated_phrase_still_counts_as_a_claim() -> None:
    assert claims_open_source("This is not open source", [])


@pytest.mark.parametrize("license_class", [LicenseClass.NOT_OSI, LicenseClass.UNKNOWN, LicenseClass.NONE])
def test_claim_without_osi_license_is_open_washing(license_class: LicenseClass) -> None:
    assert is_open_washing(license_class, "An open-source model", [])


def test_claim_with_osi_license_is_not_open_washing() -> None:
    assert not is_open_washing(LicenseClass.OSI, "An open-source model", ["opensource"])


def test_no_claim_is_not_open_washing_whatever_the_license() -> None:
    assert not is_open_washing(LicenseClass.NONE, "Agent toolkit", ["agents"])


# --- catalog annotations -------------------------------------------------------------------

VALID_ANNOTATION: dict[str, object] = {
    "weights": "gated",
    "training_data": "undisclosed",
    "source": "https://www.llama.com/llama3/license/",
    "note": "Llama 3 Community License; acceptable-use policy applies",
}


def test_parse_full_annotation() -> None:
    assert parse_openness_annotation(VALID_ANNOTATION, "catalog.toml [llama3]") == ModelOpenness(
        weights="gated",
        training_data="undisclosed",
        source="https://www.llama.com/llama3/license/",
        note="Llama 3 Community License; acceptable-use policy applies",
    )


def test_parse_annotation_without_note() -> None:
    raw = {key: value for key, value in VALID_ANNOTATION.items() if key != "note"}

    assert parse_openness_annotation(raw, "x").note is None


def test_annotation_is_frozen() -> None:
    annotation = parse_openness_annotation(VALID_ANNOTATION, "x")

    with pytest.raises(AttributeError):
        annotation.weights = "open"  # type: ignore[misc]


@pytest.mark.parametrize("missing", ["weights", "training_data", "source"])
def test_annotation_missing_required_key(missing: str) -> None:
    raw = {key: value for key, value in VALID_ANNOTATION.items() if key != missing}

    with pytest.raises(ValueError, match=rf"^catalog\.toml \[m\]: missing key '{missing}'"):
        parse_openness_annotation(raw, "catalog.toml [m]")


@pytest.mark.parametrize(
    ("key", "bad_value"),
    [
        ("weights", "half-open"),
        ("weights", "Open"),
        ("weights", 1),
        ("training_data", "secret"),
        ("training_data", ""),
        ("source", "www.llama.com/license"),
        ("source", "ftp://example.org/license"),
        ("source", ["https://example.org"]),
        ("note", 42),
    ],
)
def test_annotation_wrong_value_names_where_and_key(key: str, bad_value: object) -> None:
    raw = {**VALID_ANNOTATION, key: bad_value}

    with pytest.raises(ValueError, match=rf"^catalog\.toml \[m\]: key '{key}'"):
        parse_openness_annotation(raw, "catalog.toml [m]")


def test_annotation_unknown_key_names_where_and_key() -> None:
    raw = {**VALID_ANNOTATION, "weigths": "open"}

    with pytest.raises(ValueError, match=r"^catalog\.toml \[m\]: unknown key 'weigths'"):
        parse_openness_annotation(raw, "catalog.toml [m]")


# --- repository assessment -----------------------------------------------------------------


def test_assess_osi_repo() -> None:
    assert assess_fixture("transformers") == RepoOpenness(
        full_name="huggingface/transformers",
        license="Apache-2.0",
        license_class=LicenseClass.OSI,
        open_washing=False,
        annotation=None,
    )


def test_assess_unrecognised_license_without_claim() -> None:
    assert assess_fixture("llama3") == RepoOpenness(
        "meta-llama/llama3", "NOASSERTION", LicenseClass.UNKNOWN, False, None
    )


def test_assess_unrecognised_license_claiming_open_source() -> None:
    assert assess_fixture("open_washing") == RepoOpenness(
        "acme-ai/acme-lm", "NOASSERTION", LicenseClass.UNKNOWN, True, None
    )


def test_assess_not_osi_license_without_claim() -> None:
    assert assess_fixture("cc_by_dataset") == RepoOpenness(
        "acme-ai/acme-eval-data", "CC-BY-4.0", LicenseClass.NOT_OSI, False, None
    )


def test_assess_unlicensed_repo_with_opensource_topic() -> None:
    assert assess_fixture("unlicensed") == RepoOpenness(
        "acme-ai/acme-agent", None, LicenseClass.NONE, True, None
    )


def test_assess_keeps_the_annotation() -> None:
    annotation = parse_openness_annotation(VALID_ANNOTATION, "x")

    assert assess_fixture("llama3", annotation).annotation == annotation


def test_report_puts_open_washing_first_then_non_osi_then_osi_each_by_name() -> None:
    items = [
        a_repo("zeta/osi", LicenseClass.OSI),
        a_repo("Beta/unknown", LicenseClass.UNKNOWN),
        a_repo("alpha/osi", LicenseClass.OSI),
        a_repo("delta/washing", LicenseClass.NONE, open_washing=True),
        a_repo("alpha/not-osi", LicenseClass.NOT_OSI),
        a_repo("charlie/washing", LicenseClass.NOT_OSI, open_washing=True),
        a_repo("gamma/none", LicenseClass.NONE),
    ]

    assert [item.full_name for item in sorted(items, key=openness_report_key)] == [
        "charlie/washing",
        "delta/washing",
        "alpha/not-osi",
        "Beta/unknown",
        "gamma/none",
        "alpha/osi",
        "zeta/osi",
    ]


def test_a_stored_repo_is_assessed_like_its_github_json_with_the_catalogs_note() -> None:
    note = ModelOpenness("open", "undisclosed", "https://example.com/card")
    claims = replace(record("Acme/LM", NO_ASSERTION), description="An open-source LLM")

    assessed = assess_stored_repo(claims, {"acme/lm": note})
    unlicensed = assess_stored_repo(record("acme/tool", None), {"acme/lm": note})

    assert assessed == RepoOpenness("Acme/LM", NO_ASSERTION, LicenseClass.UNKNOWN, True, note)
    assert unlicensed == RepoOpenness("acme/tool", None, LicenseClass.NONE, False, None)


def test_report_of_fixtures() -> None:
    fixtures = ["transformers", "llama3", "open_washing", "cc_by_dataset", "unlicensed"]

    ordered = sorted((assess_fixture(name) for name in fixtures), key=openness_report_key)

    assert [item.full_name for item in ordered] == [
        "acme-ai/acme-agent",
        "acme-ai/acme-lm",
        "acme-ai/acme-eval-data",
        "meta-llama/llama3",
        "huggingface/transformers",
    ]
