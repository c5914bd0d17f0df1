"""The office talks back: notice and task composed, sent, imported by the
branch, relayed and answered, and the reply read back at the office."""

from __future__ import annotations

from pathlib import Path

import pytest

from branchtool.inbox import receive
from branchtool.inbox.receive import ACCEPTED, REJECTED, InboxService
from tests import inboxkit
from tests.officekit import TODAY, export


@pytest.fixture
def loop(tmp_path: Path):  # type: ignore[no-untyped-def]
    loop = inboxkit.build(tmp_path)
    yield loop
    inboxkit.close(loop)


def test_notice_and_task_reach_the_branch_and_coverage_comes_back(loop) -> None:
    notice, task = inboxkit.compose(loop)
    sent = loop.outbox.send(loop.stick)
    assert sorted((s.branch, s.sequence, s.items) for s in sent) == [
        ("CS01", 1, 2), ("MA02", 1, 2)]
    assert sent[0].path.name == "DW-to-CS01-000001.inbox.age"
    assert loop.outbox.send(loop.stick) == []  # nothing pending any more

    results = InboxService(loop.a).import_paths([loop.stick])
    by_verdict = {r.file.name: r for r in results}
    assert by_verdict["DW-to-CS01-000001.inbox.age"].verdict == ACCEPTED
    assert by_verdict["DW-to-MA02-000001.inbox.age"].reason == "not_for_us"
    filed = loop.a.notices.get(notice["id"])
    assert filed is not None
    assert filed["number"] == "院党组〔2020〕3号" and filed["deadline"] == "2026-11-25"
    assert filed["issuer"] == "某学院党委办公室" and filed["from_office"]["ack"] is True
    task_doc = loop.a.tasks.get(task["id"])
    assert task_doc is not None and task_doc["due"] == "2026-11-27T23:59"
    assert task_doc["from_office"]["report"].startswith("每个支部")

    # the secretary relays to three members, one acknowledges; answers the task
    audience = loop.a.notices.audience(notice["id"])
    loop.a.notices.relay(notice["id"], [p.id for p in audience[:3]], "in_person", TODAY)
    loop.a.notices.respond(notice["id"], audience[0].id, "acknowledged")
    loop.a.tasks.edit(task["id"], {"assignees": audience[0].id,
                                   "evidence": "已报送两名党员事迹"})
    loop.a.tasks.set_status(task["id"], "done")

    out = loop.root / "bundles"
    export(loop.a, out)
    results = loop.office.import_paths([out])
    assert [r.verdict for r in results] == ["accepted"]

    overview = loop.office.overview(TODAY)
    data = overview.to_json()
    [n] = data["notices"]
    assert n["id"] == notice["id"] and n["number"] == "院党组〔2020〕3号"
    cs = n["branches"]["CS01"]
    assert (cs["expected"], cs["relayed"], cs["acknowledged"]) == (len(audience), 3, 1)
    assert cs["received"] is True and cs["overdue"] is False
    assert n["not_received"] == ["MA02"]
    assert n["total"]["relayed"] == 3
    [t] = data["tasks"]
    assert t["branches"]["CS01"]["status"] == "done"
    assert t["branches"]["CS01"]["answer"] == "已报送两名党员事迹"
    assert t["total"] == {"branches": 2, "done": 1}


def test_overdue_after_due_date(loop) -> None:
    _notice, _ = inboxkit.compose(loop)
    loop.outbox.send(loop.stick)
    later = TODAY.replace(day=26)
    notices, _ = loop.outbox.coverage(day=later)
    assert notices[0]["overdue"] == ["CS01", "MA02"]


def test_branch_keeps_what_the_secretary_wrote(loop) -> None:
    notice, _ = inboxkit.compose(loop)
    loop.outbox.send(loop.stick, ["CS01"])
    own = loop.a.notices.add({"title": "支部自己的通知", "issued_on": TODAY.isoformat()})
    before = loop.a.notices.get(own)
    InboxService(loop.a).import_paths([loop.stick])
    assert loop.a.notices.get(own) == before
    # the secretary edits the office's notice; a replay changes nothing
    loop.a.notices.edit(notice["id"], {"title": "秘书改过的标题"})
    results = InboxService(loop.a).import_paths([loop.stick])
    assert [r.reason for r in results] == ["replayed"]
    assert loop.a.notices.get(notice["id"])["title"] == "秘书改过的标题"


def test_a_folder_in_any_order_imports_in_sequence(loop) -> None:
    loop.outbox.add_notice(title="第一份", text="一", to=["CS01"])
    loop.outbox.send(loop.stick)
    loop.outbox.add_notice(title="第二份", text="二", to=["CS01"])
    loop.outbox.send(loop.stick)
    results = InboxService(loop.a).import_paths([loop.stick])
    assert [(r.sequence, r.verdict) for r in results] == [(1, ACCEPTED), (2, ACCEPTED)]
    assert [d["sequence"] for d in InboxService(loop.a).received()] == [1, 2]


def test_settings_are_proposals_the_secretary_accepts(loop) -> None:
    item = loop.outbox.add_settings({"fever_threshold": "37.5", "report_deadline": "10:00"})
    loop.outbox.send(loop.stick, ["CS01"])
    service = InboxService(loop.a)
    before = loop.a.health.settings.fever_threshold
    [result] = service.import_paths([loop.stick])
    assert result.proposals == 1
    assert loop.a.health.settings.fever_threshold == before  # not applied by importing
    assert [p["id"] for p in service.proposals()] == [item["id"]]
    service.decide(item["id"], accept=True)
    assert loop.a.health.settings.fever_threshold == "37.5"
    assert loop.a.setting(receive.REQUESTS) == {"report_deadline": "10:00"}
    assert service.proposals() == []


def test_no_office_key_is_one_sentence(loop) -> None:
    loop.a.vault.set_setting("office", None)
    from branchtool.errors import UserError

    with pytest.raises(UserError) as err:
        InboxService(loop.a).import_paths([loop.stick])
    assert err.value.key == "inbox.no_office_key"
    assert REJECTED == "rejected"
