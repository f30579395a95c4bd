"""The diary record's rules, the taxonomy as data, and the system fields (pure domain)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chatsupport.domain.diary import Origin, check_form, parse_form, system_fields
from chatsupport.domain.errors import ChatSupportError, InvalidInput
from chatsupport.domain.taxonomy import (
    Dimension,
    Taxonomy,
    plan_add,
    plan_update,
)

HELSINKI = ZoneInfo("Europe/Helsinki")


def valid_form(**changes: Any) -> dict[str, Any]:
    """A valid counselling form at level 1; ``changes`` replace or (with None) remove fields."""
    form: dict[str, Any] = {
        "contact_type": "COUNSELLING",
        "outcome": "COMPLETED",
        "caller": "SELF",
        "age_band": "A13_15",
        "concerns": [{"code": "MOOD", "primary": True}, {"code": "SCHOOL"}],
        "concern_level": 1,
        "referrals": [{"code": "SCHOOL_NURSE", "how": "ENCOURAGED"}],
    }
    for key, value in changes.items():
        if value is None:
            form.pop(key, None)
        else:
            form[key] = value
    return form


#: (what is wrong, the form, the stable code) - every rule of the diary form.
BROKEN: list[tuple[str, dict[str, Any], str]] = [
    ("unknown contact type", valid_form(contact_type="CHATTY"), "diary.unknown_code"),
    (
        "unknown concern",
        valid_form(concerns=[{"code": "X", "primary": True}]),
        "diary.unknown_code",
    ),
    (
        "unknown referral how",
        valid_form(referrals=[{"code": "POLICE", "how": "X"}]),
        "diary.unknown_code",
    ),
    ("missing outcome", valid_form(outcome=None), "diary.missing_field"),
    ("missing age band", valid_form(age_band=None), "diary.missing_field"),
    ("counselling without concerns", valid_form(concerns=None), "diary.missing_field"),
    ("counselling without level", valid_form(concern_level=None), "diary.missing_field"),
    ("level 2 without cp flag", valid_form(concern_level=2), "diary.missing_field"),
    ("free text field", valid_form(note="hello"), "diary.bad_field"),
    ("level out of range", valid_form(concern_level=4), "diary.bad_field"),
    ("silent filed by hand", valid_form(contact_type="SILENT"), "diary.bad_field"),
    (
        "four concerns",
        valid_form(
            concerns=[
                {"code": c, "primary": c == "MOOD"} for c in ("MOOD", "SCHOOL", "FAMILY", "PEERS")
            ]
        ),
        "diary.concern_count",
    ),
    ("no primary", valid_form(concerns=[{"code": "MOOD"}]), "diary.primary_concern"),
    (
        "two primaries",
        valid_form(
            concerns=[{"code": "MOOD", "primary": True}, {"code": "SCHOOL", "primary": True}]
        ),
        "diary.primary_concern",
    ),
    (
        "repeated concern",
        valid_form(concerns=[{"code": "MOOD", "primary": True}, {"code": "MOOD"}]),
        "diary.duplicate_code",
    ),
    (
        "level 2 without referral",
        valid_form(concern_level=2, cp_concern=True, referrals=[]),
        "diary.level_needs_referral",
    ),
    (
        "level 3 without emergency action",
        valid_form(concern_level=3, cp_concern=True, emergency_actions=[]),
        "diary.level_needs_emergency",
    ),
    (
        "level 3 with only NONE",
        valid_form(concern_level=3, cp_concern=True, emergency_actions=["NONE"]),
        "diary.level_needs_emergency",
    ),
    (
        "NONE with another action",
        valid_form(emergency_actions=["NONE", "POLICE"]),
        "diary.none_not_alone",
    ),
    (
        "NONE with another referral",
        valid_form(referrals=[{"code": "NONE"}, {"code": "POLICE", "how": "INFO_GIVEN"}]),
        "diary.none_not_alone",
    ),
    ("referral without how", valid_form(referrals=[{"code": "POLICE"}]), "diary.referral_how"),
]


def test_refusals_never_echo_what_was_sent() -> None:
    """An unknown key is reported as an unknown field, not by its name."""
    with pytest.raises(InvalidInput) as caught:
        check(valid_form(**{"my-secret-school-name": "x"}))
    assert "my-secret" not in caught.value.message and caught.value.code == "diary.bad_field"


def check(data: dict[str, Any], taxonomy: Taxonomy | None = None) -> None:
    check_form(parse_form(data), taxonomy or Taxonomy.default())


@pytest.mark.parametrize(("what", "data", "code"), BROKEN, ids=[b[0] for b in BROKEN])
def test_each_broken_rule_has_its_stable_code(what: str, data: dict[str, Any], code: str) -> None:
    """Every rule of the form refuses with its own stable code."""
    with pytest.raises(InvalidInput) as caught:
        check(data)
    assert caught.value.code == code


def test_valid_forms_pass() -> None:
    """Counselling at each level, and a short non-counselling contact, are accepted."""
    check(valid_form())
    check(valid_form(concern_level=2, cp_concern=False, referrals=[{"code": "NONE"}]))
    check(valid_form(concern_level=3, cp_concern=True, emergency_actions=["CALLED_112"]))
    check(valid_form(contact_type="TEST_PRANK", concerns=[], concern_level=None, referrals=[]))


def test_retired_code_refused_in_new_records_but_still_labelled() -> None:
    """A retired code is refused in a new form, yet old records still show its label."""
    taxonomy = Taxonomy.default()
    change = plan_update(
        taxonomy, dimension=Dimension.CONCERN, code="SCHOOL", labels=None, retired=True
    )
    retired = taxonomy.with_changes([change])
    with pytest.raises(InvalidInput) as caught:
        check(valid_form(), retired)
    assert caught.value.code == "diary.retired_code"
    assert retired.label(Dimension.CONCERN, "SCHOOL", "en") == "School"


def test_coordinator_adds_renames_and_cannot_retire_rule_codes() -> None:
    """New codes and new labels are data; codes the rules rely on cannot be retired."""
    taxonomy = Taxonomy.default()
    added = plan_add(
        taxonomy,
        dimension=Dimension.REFERRAL,
        code="YOUTH_WORK",
        labels={"fi": "Nuorisotyö", "en": "Youth work"},
    )
    renamed = plan_update(
        taxonomy, dimension=Dimension.CONCERN, code="MOOD", labels={"fi": "Mieliala"}, retired=None
    )
    changed = taxonomy.with_changes([added, renamed])
    assert changed.label(Dimension.REFERRAL, "YOUTH_WORK", "sv") == "Nuorisotyö"
    assert changed.label(Dimension.CONCERN, "MOOD", "fi") == "Mieliala"
    for dimension, code, expected in [
        (Dimension.CONTACT_TYPE, "COUNSELLING", "taxonomy.fixed"),
        (Dimension.CONCERN_LEVEL, "3", "taxonomy.fixed"),
    ]:
        with pytest.raises(ChatSupportError) as caught:
            plan_update(taxonomy, dimension=dimension, code=code, labels=None, retired=True)
        assert caught.value.code == expected
    with pytest.raises(ChatSupportError) as caught:
        plan_add(taxonomy, dimension=Dimension.CONCERN, code="MOOD", labels={"fi": "x"})
    assert caught.value.code == "taxonomy.code_exists"
    with pytest.raises(ChatSupportError) as caught:
        plan_add(taxonomy, dimension=Dimension.CONCERN, code="bad code", labels={"fi": "x"})
    assert caught.value.code == "taxonomy.bad_code"


def test_system_fields_use_local_time_and_whole_seconds() -> None:
    """Date, hour and weekday are Helsinki time; waiting and duration are whole seconds."""
    created = datetime(2026, 3, 29, 23, 30, tzinfo=UTC)  # 02:30 on Monday 30 March (EEST)
    fields = system_fields(
        created_at=created,
        claimed_at=created.replace(minute=32, second=10),
        ended_at=created.replace(minute=50),
        zone=HELSINKI,
        lang="sv",
        end_reason="youth_quick_exit",
        responder_role="professional",
        had_messages=True,
    )
    assert (fields.local_date.isoformat(), fields.hour, fields.weekday) == ("2026-03-30", 2, 0)
    assert (fields.wait_secs, fields.duration_secs) == (130, 1070)
    assert fields.quick_exit and fields.origin is Origin.ANSWERED and not fields.backup_involved


def test_missed_and_silent_contacts_are_told_apart() -> None:
    """No claim is a missed contact; a claim without messages is a silent one."""
    at = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    missed = system_fields(
        created_at=at,
        claimed_at=None,
        ended_at=at.replace(minute=3),
        zone=HELSINKI,
        lang="fi",
        end_reason="youth_left",
        responder_role=None,
        had_messages=False,
    )
    silent = system_fields(
        created_at=at,
        claimed_at=at,
        ended_at=at.replace(minute=3),
        zone=HELSINKI,
        lang="fi",
        end_reason="youth_left",
        responder_role="professional",
        had_messages=False,
    )
    assert missed.origin is Origin.MISSED and missed.wait_secs == 180
    assert missed.duration_secs is None
    assert silent.origin is Origin.NO_MESSAGES and silent.duration_secs == 180
