"""The record books (care cases and visits, members' records, deeds; tasks
have their own test) keep no copy: they read the partition's stored
documents (read-only) through TinyDB queries, and neither their reads nor
their writes change a document in place: the vault's check still finds every
document hashing as its history entry says."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

import datetime as dt

from fixtures_app import TODAY, demo_session  # noqa: F401
from rowtexts import texts

from branchtool import demo
from branchtool.services.care import CASES, VISITS
from branchtool.session import Session


def test_the_books_share_the_partitions_documents_and_change_none(
        demo_session: Session) -> None:
    s = demo_session
    s.lock()  # the demo wrote through these services: open them fresh
    s.unlock(demo.PASSPHRASE)
    vault = s.vault
    care, records, deeds = s.care, s.member_records, s.deeds
    for book, name in ((care, CASES), (care.visit_book, VISITS),
                       (records, "member_records"), (deeds, "deeds")):
        part = vault.partition(name)
        ids = part.ids()
        assert ids, name  # the demo has some of each
        assert all(book._record(i) is part._raw(i) for i in ids), name
        assert not any(isinstance(v, dict) and len(v) == len(ids) for v in vars(book).values())

    # reads, including copies the caller changes
    start, end = TODAY - dt.timedelta(days=30), TODAY
    for row in care.cases():
        texts(row)
        assert row.doc is vault.partition(CASES)._raw(row.id)  # the stored document
    care.visits()
    care.reminders(TODAY)
    care.summary(start, end)
    case_id = care.cases()[0].id
    copy = care.get(case_id)
    assert copy is not None
    copy["description"] = "changed"
    for row in records.query():
        texts(row)
    records.summary(start, end)
    for row in deeds.query():
        texts(row)
    for doc in deeds.for_reporting():
        doc["title"] = "changed"
    # writes
    care.edit_case(case_id, {**care.values_of(case_id), "measures": "改"})
    visit = care.visits()[0]
    texts(visit)
    care.add_visit(visit.doc["case"], care.visit_book.values_of(visit.id))
    record_id = records.query()[0].id
    records.edit(record_id, {**records.values_of(record_id), "description": "改"})
    deed_id = deeds.query()[0].id
    deeds.edit(deed_id, {**deeds.values_of(deed_id), "title": "改"})

    assert care.get(case_id)["description"] != "changed"  # type: ignore[index]
    assert all(d.get("title") != "changed" for d in deeds.all())
    assert vault.check() == []


def test_the_watch_services_and_the_roster_read_the_partitions(demo_session: Session) -> None:
    """Contacts, notices and the roster keep no copy of their records: the
    roster's people are the stored documents (read-only) with their search
    keys; what the services hand out to be changed are copies."""
    s = demo_session
    s.lock()
    s.unlock(demo.PASSPHRASE)
    vault = s.vault
    people = vault.partition("roster")
    assert all(p.doc is people._raw(p.id) for p in s.roster.people())
    person = next(iter(s.roster.people()))
    copy = s.roster.get(person.id)
    assert copy is not None
    copy["name"] = "changed"
    assert s.roster.person(person.id)["name"] != "changed"  # type: ignore[index]
    for service in (s.contacts, s.notices):
        assert not any(isinstance(v, dict) and v for v in vars(service).values())
    for notice in s.notices.all():
        notice["title"] = "changed"
    assert all(n["title"] != "changed" for n in s.notices.all())
    assert vault.check() == []
