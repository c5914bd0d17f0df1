"""TinyDB's query API over a partition: the index path answers exactly what a
scan does, and what it hands out is read-only, never the store's to change."""

from __future__ import annotations

import copy
import pickle
import tempfile
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tinydb import Query, where
from tinydb.table import Table

from storage.table import StoredDoc, StoredList, equalities
from tests.test_store import make_store, person

FIELDS = ("kind", "day", "n")
VALUES = st.sampled_from(["a", "b", "", "2026-11-01", 0, 1, 2, True, False, None, 1.0])
MISSING = object()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "data"


def _doc(draw: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for field in FIELDS:
        value = draw(st.one_of(VALUES, st.just(MISSING), st.just(["a", 1])))
        if value is not MISSING:
            doc[field] = value
    return doc


@st.composite
def operations(draw: Any) -> list[tuple[str, int, dict[str, Any]]]:
    ops = []
    for _ in range(draw(st.integers(0, 25))):
        ops.append((draw(st.sampled_from(["insert", "insert", "update", "replace", "remove"])),
                    draw(st.integers(0, 30)), _doc(draw)))
    return ops


@st.composite
def queries(draw: Any) -> Any:
    def one() -> Any:
        field = draw(st.sampled_from(FIELDS))
        value = draw(VALUES)
        return draw(st.sampled_from([
            where(field) == value,
            Query()[field] == value,
            where(field) != value,
            where(field).exists(),
        ]))
    query = one()
    for _ in range(draw(st.integers(0, 2))):
        query = query & one() if draw(st.booleans()) else query | one()
    return query


def _apply(part: Any, ops: list[tuple[str, int, dict[str, Any]]]) -> None:
    for op, n, doc in ops:
        ids = part.ids()
        if op == "insert" or not ids:
            part.insert(doc)
        elif op == "update":
            part.update(ids[n % len(ids)], doc)
        elif op == "replace":
            part.replace(ids[n % len(ids)], doc)
        else:
            part.remove(ids[n % len(ids)])


def _scan(part: Any, query: Any) -> list[dict[str, Any]]:
    """What TinyDB's own table over plain copies of the documents finds."""
    class Plain:
        def read(self) -> dict[str, Any]:
            return {"t": {d["id"]: d for d in part.all()}}
    table = Table(Plain(), "t")  # type: ignore[arg-type]
    table.document_id_class = str  # type: ignore[misc]
    return [dict(d) for d in table.search(query)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=operations(), after=operations(), asked=st.lists(queries(), min_size=1, max_size=4))
def test_indexed_queries_find_exactly_what_a_scan_finds(before: Any, after: Any,
                                                        asked: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = make_store(Path(tmp) / "data")
        part = store.partition("things")
        with store.batch():
            _apply(part, before)
        for query in asked:  # indexes built now, then kept by the writes after
            assert [dict(d) for d in part.search(query)] == _scan(part, query)
        with store.batch():
            _apply(part, after)
        for query in asked:
            found = part.search(query)
            assert [dict(d) for d in found] == _scan(part, query)
            assert all(type(d) is StoredDoc for d in found)
            assert part.count(query) == len(found)
            first = part.first(query)
            assert (dict(first) if first is not None else None) == (
                dict(found[0]) if found else None)
            assert part.table.contains(query) == bool(found)
        store.close()
        store = make_store(Path(tmp) / "data")  # read back from the snapshot
        part = store.partition("things")
        for query in asked:
            assert [dict(d) for d in part.search(query)] == _scan(part, query)
        store.close(compact=False)


def test_equalities_are_read_from_tinydb_queries() -> None:
    assert equalities(where("a") == "x") == [("a", "x")]
    assert sorted(equalities((where("a") == 1) & (Query().b == "y"))) == [("a", 1), ("b", "y")]
    assert equalities(where("a") != "x") == []
    assert equalities((where("a") == 1) | (where("b") == 2)) == []
    assert equalities(where("a").b == 1) == []  # a nested path: scanned
    assert equalities(where("a") == ["x"]) == []  # not a scalar: scanned
    assert equalities(where("a") == float("nan")) == []
    assert equalities(lambda doc: True) == []  # type: ignore[arg-type]


def test_results_are_read_only_and_copies_are_the_callers(folder: Path) -> None:
    store = make_store(folder)
    roster = store.partition("roster")
    rid = roster.insert(person(1))
    for found in (roster.search(where("group") == "g1")[0],  # the index
                  roster.search(where("name").matches("p"))[0],  # a scan
                  roster.first(where("id") == rid), roster.table.get(doc_id=rid),
                  roster.view()[0], roster.table.all()[0], next(iter(roster.table))):
        assert isinstance(found, StoredDoc) and found.doc_id == rid
        with pytest.raises(TypeError):
            found["name"] = "x"
        for change in (lambda d: d.pop("name"), lambda d: d.update(name="x"),
                       lambda d: d.setdefault("new", 1), lambda d: d.clear(),
                       lambda d: d.popitem(), lambda d: d.__delitem__("name"),
                       lambda d: d.__ior__({"name": "x"}),
                       lambda d: d["tags"].append("x"), lambda d: d["tags"].sort(),
                       lambda d: d["tags"].__setitem__(0, "x"),
                       lambda d: d["tags"].extend("x"), lambda d: d["tags"].clear()):
            with pytest.raises(TypeError):
                change(found)
        mine = copy.deepcopy(found)
        mine["tags"].append("mine")
        mine["name"] = "changed"
        shallow = dict(found)
        shallow["name"] = "also changed"
        assert type(mine) is dict and type(mine["tags"]) is list
        assert pickle.loads(pickle.dumps(found)) == found
        assert orjson.loads(orjson.dumps(found)) == {**person(1), "id": rid}
        assert roster.get(rid) == {**person(1), "id": rid}
    assert isinstance(roster.search(where("group") == "g1")[0]["tags"], StoredList)
    plain = roster.get(rid)
    assert type(plain) is dict and type(plain["tags"]) is list  # get: a copy to change
    plain["tags"].append("x")
    assert roster.get(rid)["tags"] == ["a", "1"]
    store.close()


def test_a_write_replaces_the_document_readers_hold(folder: Path) -> None:
    store = make_store(folder)
    roster = store.partition("roster")
    rid = roster.insert(person(1))
    held = roster.search(where("group") == "g1")
    roster.update(rid, {"group": "g2", "name": "q"})
    assert held[0]["group"] == "g1" and held[0]["name"] == "p1"  # what was read stays
    assert roster.search(where("group") == "g1") == []
    assert [d["name"] for d in roster.search(where("group") == "g2")] == ["q"]
    assert roster.count(where("group") == "g2") == 1
    store.close()


def test_a_document_moved_into_a_bucket_keeps_the_partitions_order(folder: Path) -> None:
    store = make_store(folder)
    part = store.partition("things")
    first, second = part.insert({"k": 1}), part.insert({"k": 2})
    assert [d["id"] for d in part.search(where("k") == 2)] == [second]  # the index is built
    part.update(first, {"k": 2})  # moves into the bucket after ``second``
    assert [d["id"] for d in part.search(where("k") == 2)] == [first, second]
    assert [d["id"] for d in part.search((where("k") == 2) & (where("id") == second))] == [second]
    store.close()


def test_an_id_is_found_without_parsing_the_others(folder: Path) -> None:
    store = make_store(folder)
    ids = store.partition("roster").insert_many(person(i) for i in range(5))
    store.close()
    store = make_store(folder)
    roster = store.partition("roster")
    assert roster._unparsed == 5
    assert roster.first(where("id") == ids[3])["name"] == "p3"
    assert roster.first(where("id") == "nobody") is None and roster.count(where("id") == 7) == 0
    assert roster._unparsed == 4
    assert roster.search((where("id") == ids[2]) & (where("name") == "p3")) == []
    assert roster.count((where("id") == ids[2]) & (where("name") == "p2")) == 1
    store.close(compact=False)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=operations(), asked=st.lists(st.dictionaries(st.sampled_from(FIELDS), VALUES,
                                                        min_size=1, max_size=2), max_size=3))
def test_find_is_a_search_of_equalities_by_id(ops: Any, asked: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = make_store(Path(tmp) / "data")
        part = store.partition("things")
        with store.batch():
            _apply(part, ops)
        for equals in asked:
            expected = [d for d in part.all() if all(k in d and d[k] == v
                                                    for k, v in equals.items())]
            assert part.find(**equals) == sorted(expected, key=lambda d: d["id"])
        store.close(compact=False)
