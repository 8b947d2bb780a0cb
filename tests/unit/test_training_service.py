"""专家培训 (JC 第十三条, YQ 第二十一条): record a session with its attendees, correct attendance, list a year's
sessions against the profile's sessions_per_year; bad input in Chinese with nothing saved."""
from datetime import date

import pytest

from core.errors import PermissionDenied, ValidationError
from services import experts, settings, training
from tests.conftest import ADMIN, DEPARTMENT, OFFICE
from tests.factories import make_expert, seed_expert


def pool(ctx, n=3, state="在库"):
    policy = settings.active_policy(ctx)
    spec = policy.taxonomy.all_specialty_codes()[0]
    return [seed_expert(ctx, OFFICE, make_expert(policy, specialties=[spec], state=state,
                                                           term_start="2025-01-01", term_end="2027-12-31"))
            for _ in range(n)]


def session(**kw):
    data = {"title": "新《安全生产法》专题培训", "held_on": date(2026, 3, 10), "hours": "3.5",
            "content": "宣贯新法规标准要求 & <廉政纪律>", "attendees": []}
    data.update(kw)
    return data


def test_a_session_is_recorded_with_its_attendees_and_the_profiles_organizer(ctx):
    ids = pool(ctx)
    tid = training.record_session(ctx, OFFICE, session(attendees=ids[:2]))
    saved = training.session(ctx, tid)
    assert saved["attendees"] == ids[:2] and saved["hours"] == "3.5" and saved["held_on"] == "2026-03-10"
    assert saved["organizer"] == "专家管理工作领导小组办公室" and saved["policy_id"] == "jincheng-2026"
    assert [t["id"] for t in training.attended_by(ctx, ids[0])] == [tid]


def test_attendance_can_be_corrected_and_is_audited(ctx):
    ids = pool(ctx)
    tid = training.record_session(ctx, OFFICE, session(attendees=[ids[0]]))
    training.set_attendance(ctx, OFFICE, tid, [ids[1], ids[2], ids[1]])
    assert training.session(ctx, tid)["attendees"] == [ids[1], ids[2]]
    assert [e["action"] for e in ctx.store.audit.entries(collection="trainings")] == ["登记专家培训", "更正参训人员"]


@pytest.mark.parametrize("overrides, message", [
    ({"title": " "}, "培训名称"),
    ({"held_on": None}, "培训日期"),
    ({"held_on": date(2026, 12, 1)}, "不能晚于今天"),
    ({"hours": 0}, "培训学时"),
    ({"hours": "abc"}, "培训学时"),
    ({"attendees": [999]}, "不是本专家库在库专家"),
])
def test_bad_sessions_are_refused_in_chinese_and_nothing_saved(ctx, overrides, message):
    pool(ctx)
    with pytest.raises(ValidationError, match=message):
        training.record_session(ctx, OFFICE, session(**overrides))
    assert ctx.store.collection("trainings").all() == []


def test_an_applicant_not_in_the_pool_cannot_attend(ctx):
    outsider = pool(ctx, 1, state="申请中")[0]
    with pytest.raises(ValidationError, match="在库专家"):
        training.record_session(ctx, OFFICE, session(attendees=[outsider]))


def test_only_the_office_manages_training(ctx):
    with pytest.raises(PermissionDenied):
        training.record_session(ctx, DEPARTMENT, session())
    training.record_session(ctx, ADMIN, session())


def test_jc_warns_when_no_session_was_held_in_a_year(ctx):
    check = training.year_check(ctx, 2026)
    assert check["required"] == 1 and not check["ok"] and "第十三条" in check["warning"]
    training.record_session(ctx, OFFICE, session())
    assert training.year_check(ctx, 2026) == {"held": 1, "required": 1, "ok": True, "warning": None}
    assert training.year_check(ctx, 2025)["held"] == 0


def test_yq_sets_no_number_of_sessions(ctx):
    settings.set_active_policy(ctx, ADMIN, "yangquan-2024")
    check = training.year_check(ctx, 2026)
    assert check["ok"] and check["warning"] is None and check["required"] is None


def test_sessions_are_listed_per_year_newest_first(ctx):
    a = training.record_session(ctx, OFFICE, session(held_on=date(2026, 3, 1)))
    b = training.record_session(ctx, OFFICE, session(held_on=date(2026, 9, 1)))
    training.record_session(ctx, OFFICE, session(held_on=date(2025, 9, 1)))
    assert [t["id"] for t in training.sessions(ctx, 2026)] == [b, a]
    assert len(training.sessions(ctx)) == 3
