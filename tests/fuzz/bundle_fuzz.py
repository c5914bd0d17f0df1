"""The office's import of damaged and hostile bundles, key files and key
rotations (see ``tests.fuzz``)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import shutil
import tarfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from hypothesis import strategies as st

from branchtool.bundles import container
from storage import age, minisign
from tests.fuzz.core import (
    LineOp,
    Op,
    Prop,
    Target,
    apply_edits,
    byte_ops,
    catalog_has,
    deterministic_bytes,
    edits,
    user_error_ok,
)
from tests.fuzz.minisign_fuzz import legacy_signature

# =====================================================================================
# bundles: the office's import
# =====================================================================================

OFFICE_PASSPHRASE = "office passphrase"
OFFICE_DAY = dt.date(2026, 11, 20)



@dataclass
class Bundle:
    """A genuine bundle and its layers."""

    name: str
    file: bytes
    tar: bytes
    json: bytes
    signature: str
    doc: dict[str, Any]
    paths: list[tuple[Any, ...]]  # every path into doc, for structured edits


def _paths(value: Any, prefix: tuple[Any, ...] = (), out: list | None = None,
           limit: int = 4000) -> list[tuple[Any, ...]]:
    out = [] if out is None else out
    if len(out) >= limit:
        return out
    out.append(prefix)
    if isinstance(value, dict):
        for key, child in value.items():
            _paths(child, (*prefix, key), out, limit)
    elif isinstance(value, list):
        for i, child in enumerate(value[:6]):
            _paths(child, (*prefix, i), out, limit)
    return out


@dataclass
class OfficeWorld:
    """An office that enrolled branch A1 (a demo branch) and imported its
    first bundle; fake branches B2 (enrolled), C3 (not enrolled) and D4
    (enrolled, then revoked) whose keys the fuzzer holds; A1's next bundle
    (sequence 2), one after it (3: a gap) and the first again (a duplicate)."""

    root: Path
    pristine: Path
    work: Path
    clock: Any
    office: Any  # OfficeService on ``work``
    recipient: str
    identity: str
    other_recipient: str
    signers: dict[str, minisign.SecretKey]
    bundles: list[Bundle]
    key_file: bytes  # A1's branch key file
    rotation: bytes  # a genuine rotation of A1's key
    new_secret: minisign.SecretKey  # the key it rotates to
    new_recipient: str
    digest: dict[str, str] = field(default_factory=dict)
    status: bytes = b""
    resets: int = 0
    counter: int = 0

    @classmethod
    def build(cls, root: Path) -> OfficeWorld:
        from branchtool.bundles import format as fmt
        from branchtool.keyfiles import BRANCH_FORMAT, KeyFile
        from tests.officekit import Clock, enrol, export, make_branch, make_office

        root.mkdir(parents=True, exist_ok=True)
        clock = Clock()
        office = make_office(root / "office", clock)
        a = make_branch(root / "branch-a", "A1", "第一党支部", office, people=8, days=2, seed=7)
        enrol(office, a)
        a_secret = minisign.SecretKey.from_text(age.decrypt(
            (root / "branch-a" / "signing.age").read_bytes(), [a.vault.identity]).decode())
        signers = {"a": a_secret}
        for code, who in (("B2", "b"), ("C3", "c"), ("D4", "d")):
            secret, public = minisign.generate_keypair()
            signers[who] = secret
            if code != "C3":
                office.trust.enrol(KeyFile(BRANCH_FORMAT, f"支部{code}", age.generate_identity()[1],
                                           public, code=code))
        office.trust.revoke("D4")
        sent = root / "sent"
        paths = [export(a, sent)]
        people = list(a.roster.people())
        for n in (1, 2):
            a.roster.edit(people[n].id, {"notes": f"changed before bundle {n + 1}"})
            paths.append(export(a, sent))
        results = office.import_paths([paths[0]])
        assert [r.verdict for r in results] == ["accepted"], [r.to_json() for r in results]
        identity = office.vault.identity
        bundles = []
        for name, path in (("next", paths[1]), ("gap", paths[2]), ("first", paths[0])):
            file = path.read_bytes()
            tar = bytes(container.inflate(age.decrypt(file, [identity]), fmt.MAX_TAR))
            json_bytes, signature = fmt.unpack_tar(tar)
            doc = fmt.decode(json_bytes)
            bundles.append(Bundle(name, file, tar, json_bytes, signature, doc, _paths(doc)))
        key_file = a.bundles.branch_key().to_bytes()
        a.lock()
        recipient = office.vault.recipient
        office.vault.close()
        new_secret = minisign.generate_keypair()[0]
        world = cls(root, root / "office", root / "work", clock, None, recipient, identity,
                    age.generate_identity()[1], signers, bundles, key_file, b"", new_secret,
                    age.generate_identity()[1])
        world.reset()
        world.rotation = _rotation(world, KeyFileMutation("rotation", (), "", "", "a"))
        return world

    def reset(self) -> None:
        """The office as built (after an accepted bundle changed it)."""
        from branchtool.office.service import OfficeService
        from storage.vault import Vault
        from tests.officekit import TZ

        if self.office is not None:
            self.office.vault.close(compact=False)
        shutil.rmtree(self.work, ignore_errors=True)
        shutil.copytree(self.pristine, self.work)
        vault = Vault.open(self.work, OFFICE_PASSPHRASE, max_work_factor=12)
        self.office = OfficeService(vault, now=self.clock, tz=TZ)
        self.digest = self.held_digest()
        self.status = self.status_json()
        self.resets += 1

    def held_digest(self) -> dict[str, str]:
        """Every partition's documents but the import log, which keeps each
        refusal (and the history entries of that write)."""
        from branchtool.office.imports import IMPORTS

        vault = self.office.vault
        return {name: hashlib.sha256(orjson.dumps(sorted(
                    vault.partition(name).all(), key=lambda d: d["id"]),
                    option=orjson.OPT_SORT_KEYS)).hexdigest()
                for name in vault.partitions()
                if not name.startswith((IMPORTS + "/", "history/"))
                and len(vault.partition(name))}  # one only read is not a change

    def refusals(self) -> int:
        from branchtool.office.imports import log

        return sum(1 for e in log(self.office.vault) if e["verdict"] == "rejected")

    def status_json(self) -> bytes:
        """What ``office status --json`` prints, but which refused file a
        branch has (the refusal shows, by design)."""
        overview = self.office.overview(OFFICE_DAY).to_json()
        for row in overview["branches"]:
            row.pop("refused", None)
        return orjson.dumps(overview, option=orjson.OPT_SORT_KEYS)

    def close(self) -> None:
        if self.office is not None:
            self.office.vault.close(compact=False)
            self.office = None

    def file_path(self) -> Path:
        self.counter += 1
        folder = self.root / "incoming"
        folder.mkdir(exist_ok=True)
        return folder / f"A1-{self.counter:06d}-20261120.bundle.age"


# Values a structured edit puts into bundle.json; "@..." are resolved per world.
_SPECIAL = ["@office", "@other", "@a_kid", "@b_kid", "@c_kid", "@d_kid", "@prev", "@genesis",
            "", "0" * 64, "f" * 64, "A1", "B2", "C3", "D4", "../A1", "full", "standard",
            "counts", "2026-11-20", "2026-11-19", "2026-02-30", "9999-12-31", "0001-01-01",
            "2026-13-01", "1900-01-01", "２０２６-11-20", "branchtool-bundle", "x" * 300]


def _edit_value() -> st.SearchStrategy[Any]:
    leaf = st.one_of(
        st.none(), st.booleans(),
        st.sampled_from([0, 1, 2, 3, 4, -1, 10, 1000, 2**31, 2**53 + 1, 2**62, 2**63 - 1,
                         2**64 - 1]),
        st.integers(-(2**63), 2**63 - 1),
        st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([0.5, 1.0, 1e308]),
        st.text(max_size=12), st.sampled_from(_SPECIAL),
    )
    keys = st.sampled_from(["id", "seq", "hash", "entry", "prev", "op", "time", "partition",
                            "record", "x", "date", "name"])

    def extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(st.lists(children, max_size=3),
                         st.dictionaries(keys, children, max_size=3))

    return st.recursive(leaf, extend, max_leaves=6)


@dataclass(frozen=True)
class DocEdit:
    path: int
    action: str  # "set", "delete", "add", "dup", "clear", "deep"
    value: Any = None
    key: str = ""


# Edits aimed at what the import checks after the signature (a bundle the
# branch's own key signed, as a buggy or stolen branch program could send).
_SEMANTIC: list[tuple[tuple[Any, ...], Any]] = [
    *((("sequence",), v) for v in (1, 3, 4, 10, 1000, 10**6, 2**31, 2**62, 2**63 - 1,
                                   2**64 - 1)),
    *((("previous_sha256",), v) for v in ("@prev", "0" * 64, None, "@self")),
    *((("history", "base"), v) for v in ({"seq": 0, "hash": "@genesis"}, "@held",
                                         {"seq": 10**9, "hash": "@genesis"},
                                         {"seq": -5, "hash": "@genesis"})),
    *((("history", "head"), v) for v in ("@held", {"seq": 2**62, "hash": "@genesis"})),
    *((("history", "entries"), v) for v in ("@first-half", "@repeat", [])),
    *((("period", end), v) for end in ("from", "to")
      for v in ("2026-02-30", "2026-11-31", "0000-01-01", "9999-12-31", "1970-01-01",
                "2026-11-19", "2026-13-01")),
    *((("created",), v) for v in ("", "garbage", "2026-11-20T08:00:00Z", "9999-12-31T23:59:59",
                                  "2026-11-20T08:00:00+99:00", "0001-01-01T00:00:00Z")),
    *((("redaction",), v) for v in ("full", "counts", "standard")),
    *((("data",), v) for v in ({}, {"roster": [{"id": "x"}]}, {"checkins": [{"id": "1"}]},
                               {"unknown kind": [{"id": ""}]}, {"roster": [{"id": "x"}] * 2})),
    *((("counts",), v) for v in ({}, {"roster": -1}, {"roster": 2**63 - 1})),
    *((("figures",), v) for v in ({}, {"health": {"days": {"2026-11-20": {"expected": 1,
                                                                          "reported": 2}}}},
                                  {"health": {"days": {"2026-02-30": {"expected": "x"}}}},
                                  {"health": []})),
    *((("reports",), v) for v in ({}, {"daily": "x" * 10000})),
    *((("branch", "name"), v) for v in ("", "x" * 5000)),
    *((("bundle_id",), v) for v in ("", "../../etc", "@self", "@first_id", "@next_id",
                                     "x" * 500)),
    # issue 13: a record's field of the wrong type (a signed bundle of another program)
    *((("data", "roster", 0, field), v) for field in ("name", "gender", "phone")
      for v in (["张三", "李四"], 5, None, {"a": 1}, True)),
    *((("data", "checkins", 0, "date"), v) for v in ([], 20261120)),
]


def semantic_edit(path: tuple[Any, ...], value: Any) -> DocEdit:
    """The edit that sets ``path`` to ``value`` (one of ``_SEMANTIC``)."""
    return DocEdit(_SEMANTIC.index((path, value)), "semantic")


def doc_edits() -> st.SearchStrategy[list[DocEdit]]:
    top = st.integers(0, 1 << 16)
    random_edit = st.builds(
        DocEdit, top, st.sampled_from(["set"] * 5 + ["delete", "add", "dup", "clear", "deep"]),
        _edit_value(), st.sampled_from(["id", "seq", "x", "hash", "format", "sequence", "data",
                                        "base", "head", "entries", "from", "to"]))
    semantic = st.builds(DocEdit, st.integers(0, len(_SEMANTIC) - 1), st.just("semantic"))
    entry = st.builds(DocEdit, st.integers(0, 1 << 16), st.just("entry"))
    rechained = st.builds(DocEdit, st.just(0), st.just("rechain"))
    return st.lists(st.one_of(semantic, semantic, random_edit, entry, rechained),
                    min_size=1, max_size=3)


# The fields the import checks, hit more often than a random path would be.
_KEY_PATHS = [("format",), ("version",), ("bundle_id",), ("branch", "code"), ("branch", "name"),
              ("signer_key_id",), ("recipient",), ("sequence",), ("previous_sha256",),
              ("created",), ("period", "from"), ("period", "to"), ("redaction",), ("data",),
              ("counts",), ("figures",), ("reports",), ("history", "base", "seq"),
              ("history", "base", "hash"), ("history", "head", "seq"),
              ("history", "head", "hash"), ("history", "entries")]


def _resolve(world: OfficeWorld, value: Any, bundle: Bundle) -> Any:
    if isinstance(value, str) and value.startswith("@"):
        kids = {f"@{k}_kid": s.key_id for k, s in world.signers.items()}
        table = {"@office": world.recipient, "@other": world.other_recipient,
                 "@prev": hashlib.sha256(world.bundles[2].json).hexdigest(),
                 "@genesis": "0" * 64, **kids}
        return table.get(value, value)
    if isinstance(value, list):
        return [_resolve(world, v, bundle) for v in value]
    if isinstance(value, dict):
        return {k: _resolve(world, v, bundle) for k, v in value.items()}
    return value


def _semantic(world: OfficeWorld, bundle: Bundle, doc: dict[str, Any], edit: DocEdit) -> None:
    path, value = _SEMANTIC[edit.path % len(_SEMANTIC)]
    held = world.bundles[2].doc["history"]["head"]
    entries = doc["history"]["entries"]
    if value == "@held":
        value = dict(held)
    elif value == "@self":
        value = bundle.doc[path[0]] if path[0] == "bundle_id" else hashlib.sha256(
            bundle.json).hexdigest()
    elif value in ("@first_id", "@next_id"):  # another bundle's id (imported, or in the run)
        value = world.bundles[2 if value == "@first_id" else 0].doc["bundle_id"]
    elif value == "@first-half":  # a shorter history, still a chain: head moves back
        value = entries[: len(entries) // 2]
        if value:
            doc["history"]["head"] = {"seq": value[-1]["seq"], "hash": value[-1]["entry"]}
    elif value == "@repeat":
        value = entries + entries[-1:]
    else:
        value = _resolve(world, value, bundle)
    node = doc
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = orjson.loads(orjson.dumps(value))


def rechain(doc: dict[str, Any]) -> None:
    """Recompute the history's links and hashes after its entries were edited,
    as a (buggy or stolen) branch program would: the chain holds again, so
    the office's deeper code reads the edited entries."""
    from storage.history import entry_hash

    history = doc.get("history")
    if not isinstance(history, dict) or not isinstance(history.get("base"), dict) or \
            not isinstance(history.get("entries"), list):
        return
    prev, seq = history["base"].get("hash"), history["base"].get("seq")
    for entry in history["entries"]:
        if not isinstance(entry, dict):
            return
        entry["prev"] = prev
        try:
            entry["entry"] = prev = entry_hash(entry)
        except (TypeError, ValueError):
            return
        seq = entry.get("seq")
    history["head"] = {"seq": seq, "hash": prev}


# Odd but chainable history entries: what the office's change tracking reads.
_ENTRY_EDITS: list[dict[str, Any]] = [
    {"op": "remove"}, {"op": "update"}, {"partition": "checkins/2026-13"},
    {"partition": "roster"}, {"partition": "checkins/"}, {"partition": ""},
    {"partition": "care/2026-11"}, {"record": ""}, {"record": "@a_record"},
    {"time": "garbage"}, {"time": None}, {"hash": None}, {"extra": [1, 2]},
    # issue 13: an entry as a bare link (a kind not carried), right or wrong
    {"@link": "keep"}, {"@link": "0" * 64}, {"@link": None},
]


def apply_doc_edits(world: OfficeWorld, bundle: Bundle, doc: dict[str, Any],
                    edits: Sequence[DocEdit]) -> dict[str, Any]:
    for edit in edits:
        if edit.action == "entry":
            entries = doc.get("history", {}).get("entries")
            if isinstance(entries, list) and entries and isinstance(entries[0], dict):
                target = entries[edit.path % len(entries)]
                change = _ENTRY_EDITS[edit.path % len(_ENTRY_EDITS)]
                if change.get("record") == "@a_record":  # a record the office holds
                    full = [e for e in world.bundles[2].doc["history"]["entries"]
                            if "record" in e]  # links only name no record
                    change = {"record": full[0]["record"]}
                if "@link" in change:  # keep only its link, its hash kept or replaced
                    link = {k: target.get(k) for k in ("seq", "prev", "entry")}
                    if change["@link"] != "keep":
                        link["entry"] = change["@link"]
                    target.clear()
                    target.update(link)
                    continue
                target.update(change)
            continue
        if edit.action == "semantic":
            with contextlib.suppress(KeyError, TypeError, IndexError):
                _semantic(world, bundle, doc, edit)
            continue
        pool = _KEY_PATHS if edit.path % 3 == 0 else bundle.paths
        path = pool[(edit.path // 3) % len(pool)]
        parent, node = None, doc
        try:
            for step in path:
                parent, node = node, node[step]
        except (KeyError, IndexError, TypeError):
            continue
        value = _resolve(world, edit.value, bundle)
        last = path[-1] if path else None
        if edit.action == "set" and parent is not None:
            parent[last] = value
        elif edit.action == "delete" and parent is not None:
            del parent[last]
        elif edit.action == "add" and isinstance(node, dict):
            node[edit.key] = value
        elif edit.action == "add" and isinstance(node, list):
            node.append(value)
        elif edit.action == "dup" and isinstance(node, list) and node:
            node.append(orjson.loads(orjson.dumps(node[0])))
        elif edit.action == "clear" and isinstance(node, list | dict):
            node.clear()
        elif edit.action == "deep" and parent is not None:
            deep: Any = value
            for _ in range(40):
                deep = [deep]
            parent[last] = deep
    if any(edit.action in ("rechain", "entry") for edit in edits):
        rechain(doc)
    return doc


@dataclass(frozen=True)
class TarMember:
    name: str
    kind: bytes  # b"@": not a member but a raw 512-byte block of ``data`` (a bad header)
    data: str  # "json", "sig", "empty", "garbage"
    pax: tuple[tuple[str, str], ...] = ()


def tar_members() -> st.SearchStrategy[list[TarMember]]:
    names = st.one_of(st.sampled_from([
        "bundle.json", "bundle.json.minisig", "./bundle.json", "../bundle.json",
        "/bundle.json", "bundle.json/", "BUNDLE.JSON", "bundle.json\x00x", "a" * 120,
        "dir/bundle.json", ""]), st.text(max_size=20))
    kinds = st.sampled_from([tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.LNKTYPE,
                             tarfile.SYMTYPE, tarfile.CHRTYPE, tarfile.BLKTYPE,
                             tarfile.DIRTYPE, tarfile.FIFOTYPE, tarfile.CONTTYPE,
                             tarfile.GNUTYPE_SPARSE, tarfile.GNUTYPE_LONGNAME,
                             tarfile.XHDTYPE, tarfile.XGLTYPE, b"Z"])
    pax = st.lists(st.tuples(
        st.sampled_from(["size", "path", "mtime", "uid", "linkpath", "GNU.sparse.map",
                         "GNU.sparse.size", "GNU.sparse.major", "GNU.sparse.minor",
                         "GNU.sparse.name", "hdrcharset", "comment"]),
        st.sampled_from(["0", "1", "-1", "1e3", "nan", "abc", "99999999999999999999",
                         "bundle.json", "0,1,2", "BINARY", "1.0", ""])), max_size=2).map(tuple)
    member = st.builds(TarMember, names, kinds,
                       st.sampled_from(["json", "sig", "empty", "garbage"]), pax)
    # issue 13: a block GNU tar skips ("Skipping to next header") between members
    raw = st.builds(TarMember, st.just(""), st.just(b"@"), st.sampled_from(["garbage", "json"]))
    return st.lists(st.one_of(member, member, member, raw), max_size=5)


def build_tar(members: Sequence[TarMember], bundle: Bundle, fmt_choice: int) -> bytes | None:
    formats = [tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT]
    out = io.BytesIO()
    contents = {"json": bundle.json, "sig": bundle.signature.encode(), "empty": b"",
                "garbage": deterministic_bytes(700, 9)}
    try:
        with tarfile.open(fileobj=out, mode="w", format=formats[fmt_choice % 3]) as tar:
            for m in members:
                if m.kind == b"@":
                    block = (contents[m.data] + b"X" * 512)[:512]
                    out.write(block)
                    tar.offset += len(block)
                    continue
                info = tarfile.TarInfo(m.name)
                info.type = m.kind
                data = contents[m.data]
                if m.pax:
                    info.pax_headers = dict(m.pax)
                if m.kind in (tarfile.SYMTYPE, tarfile.LNKTYPE):
                    info.linkname = "bundle.json"
                    tar.addfile(info)
                else:
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
    except (ValueError, tarfile.TarError, UnicodeError, OverflowError):
        return None
    return out.getvalue()


@dataclass(frozen=True)
class BundleMutation:
    base: int  # 0: the next bundle, 1: a gap, 2: the first again (a duplicate)
    layer: str  # "file", "tar", "zst", "members", "json", "doc", "sig"
    ops: tuple[Op | LineOp, ...]
    edits: tuple[DocEdit, ...]
    members: tuple[TarMember, ...]
    signer: str  # "keep" (the original signature), "a", "b", "c", "d"
    recipients: str  # "office", "both", "other"
    tar_format: int
    company: tuple[int, ...] = ()  # genuine bundles imported in the same run


def bundle_mutations() -> st.SearchStrategy[BundleMutation]:
    return st.builds(
        BundleMutation,
        st.sampled_from([0, 0, 0, 1, 2]),
        st.sampled_from(["file", "file", "tar", "zst", "zst", "members", "json", "doc", "doc",
                         "doc", "sig"]),
        st.one_of(byte_ops(), edits()).map(tuple),
        doc_edits().map(tuple), tar_members().map(tuple),
        st.sampled_from(["keep", "a", "a", "a", "b", "c", "d", "legacy-a"]),
        st.sampled_from(["office", "office", "office", "both", "other"]),
        st.integers(0, 2),
        st.one_of(st.just(()), st.lists(st.integers(0, 2), max_size=2).map(tuple)))


def _sign(world: OfficeWorld, doc_json: bytes, doc: Any, signer: str,
          original: str) -> str:
    from branchtool.bundles import format as fmt

    if signer == "keep":
        return original
    try:
        comment = fmt.trusted_comment(doc, hashlib.sha256(doc_json).hexdigest())
    except (KeyError, TypeError, IndexError):
        comment = "branchtool bundle"
    if signer == "legacy-a":  # the branch's own key, in the refused Ed form
        try:
            return legacy_signature(doc_json, world.signers["a"], comment)
        except ValueError:
            return legacy_signature(doc_json, world.signers["a"], "branchtool bundle")
    try:
        return minisign.sign(doc_json, world.signers[signer], comment)
    except ValueError:  # a comment minisign cannot carry (a line break)
        return minisign.sign(doc_json, world.signers[signer], "branchtool bundle")


def make_bundle_file(world: OfficeWorld, ex: BundleMutation) -> tuple[bytes, bool]:
    """The mutated file, and whether its bundle.json was re-signed by A1."""
    from branchtool.bundles import format as fmt

    bundle = world.bundles[ex.base % len(world.bundles)]
    if ex.layer == "file":
        return apply_edits(bundle.file, ex.ops), False
    resigned = False
    if ex.layer == "tar":  # a bare tar, as written before issue 19
        tar = apply_edits(bundle.tar, ex.ops)
    elif ex.layer == "zst":  # the compressed tar, its frame edited
        tar = apply_edits(container.seal(bundle.tar), ex.ops)
    elif ex.layer == "members":
        built = build_tar(ex.members, bundle, ex.tar_format)
        tar = built if built is not None else bundle.tar
    else:
        json_bytes, signature = bundle.json, bundle.signature
        if ex.layer == "sig":
            signature = apply_edits(signature.encode(), ex.ops).decode("utf-8", "replace")
        else:
            if ex.layer == "json":
                json_bytes = apply_edits(bundle.json, ex.ops)
                try:
                    doc = orjson.loads(json_bytes)
                except orjson.JSONDecodeError:
                    doc = None
            else:
                doc = apply_doc_edits(world, bundle, orjson.loads(bundle.json), ex.edits)
                json_bytes = fmt.encode(doc)
            signature = _sign(world, json_bytes, doc, ex.signer, bundle.signature)
            resigned = ex.signer == "a"
        tar = fmt.seal(json_bytes, signature, 0)
    recipients = {"office": [world.recipient], "both": [world.other_recipient, world.recipient],
                  "other": [world.other_recipient]}[ex.recipients]
    return age.encrypt(tar, recipients), resigned


def check_office_import(world: OfficeWorld, ex: BundleMutation) -> None:
    from branchtool import i18n

    data, resigned = make_bundle_file(world, ex)
    files = [data] + [world.bundles[i % len(world.bundles)].file for i in ex.company]
    paths = []
    for content in files:
        path = world.file_path()
        path.write_bytes(content)
        paths.append(path)
    refused_before = world.refusals()
    try:
        results = world.office.import_paths(paths)
    finally:
        for path in paths:
            path.unlink()
    assert [r.file for r in results] == paths, "one result per file, in order"
    assert world.refusals() == refused_before + sum(
        r.verdict == "rejected" for r in results), "each refusal is in the import log"
    for result in results:
        for lang in i18n.LANGUAGES:  # every verdict is said in both languages
            before = i18n.language()
            i18n.set_language(lang)
            try:
                assert result.message().strip()
                orjson.dumps(result.to_json())
            finally:
                i18n.set_language(before)
        assert result.verdict in ("accepted", "duplicate", "rejected")
        if result.verdict == "rejected":
            assert catalog_has(f"bundle.reject.{result.reason}"), (
                f"reason {result.reason!r} missing from a catalog")
    if not any(r.verdict == "accepted" for r in results):
        held = world.held_digest()
        changed = sorted(k for k in held.keys() | world.digest.keys()
                         if held.get(k) != world.digest.get(k))
        assert not changed, f"a run that accepted nothing changed what the office holds: {changed}"
        assert world.status_json() == world.status, "a run that accepted nothing changed the status"
        return
    try:
        if results[0].verdict == "accepted":
            _check_accepted(world, ex, data, resigned)
        assert world.office.vault.check() == [], "the office store fails its check"
        world.status_json()
        last = max(r.sequence for r in results if r.verdict == "accepted")
        [branch] = [b for b in world.office.branches() if b["code"] == "A1"]
        assert branch["last"]["sequence"] == last
    finally:
        world.reset()


def _check_accepted(world: OfficeWorld, ex: BundleMutation, data: bytes,
                    resigned: bool) -> None:
    """The genuine bundle, or one A1 really signed that makes sense."""
    from branchtool.bundles import format as fmt
    from storage.history import verify_chain

    bundle = world.bundles[ex.base % len(world.bundles)]
    tar = age.decrypt(data, [world.identity])
    json_bytes, signature = fmt.unpack(tar)
    if not resigned:
        assert json_bytes == bundle.json, "accepted a bundle.json its branch never signed"
        assert bundle.name != "first", "accepted the first bundle twice"
    doc = fmt.decode(json_bytes)
    from branchtool.bundles.kinds import check_records

    check_records(doc)  # an accepted bundle's records hold text where defined
    assert minisign.parse_signature(signature).prehashed, "accepted a legacy signature"
    assert doc["recipient"] == world.recipient
    assert doc["branch"]["code"] == "A1"
    assert doc["signer_key_id"] == world.signers["a"].key_id
    assert doc["sequence"] > world.bundles[2].doc["sequence"]
    history = doc["history"]
    report = verify_chain(history["entries"], history["base"]["seq"], history["base"]["hash"],
                          links=True)
    assert report.ok and (report.head_seq, report.head_hash) == (
        history["head"]["seq"], history["head"]["hash"]), "accepted a broken chain"
    # The office can still show each day the bundle reports (its status reads
    # the signed times).
    day = dt.date.fromisoformat(doc["period"]["from"])
    end = dt.date.fromisoformat(doc["period"]["to"])
    for _ in range(40):
        if day > end:
            break
        world.office.overview(day)
        day += dt.timedelta(days=1)


@dataclass(frozen=True)
class FormatInput:
    layer: str  # "tar", "zst", "json", "doc", "members", "garbage", "zgarbage"
    ops: tuple[Op | LineOp, ...]
    edits: tuple[DocEdit, ...]
    members: tuple[TarMember, ...]
    tar_format: int
    garbage: bytes


def format_inputs() -> st.SearchStrategy[FormatInput]:
    return st.builds(FormatInput, st.sampled_from(["tar", "zst", "json", "doc", "members",
                                                   "garbage", "zgarbage"]),
                     st.one_of(byte_ops(), edits()).map(tuple), doc_edits().map(tuple),
                     tar_members().map(tuple), st.integers(0, 2), st.binary(max_size=2000))


def check_format(world: OfficeWorld, ex: FormatInput) -> None:
    """``format.unpack`` and ``format.decode`` alone: only ``BundleRejected``."""
    from branchtool.bundles import format as fmt

    bundle = world.bundles[0]
    if ex.layer in ("tar", "zst", "members", "garbage", "zgarbage"):
        if ex.layer == "tar":
            tar = apply_edits(bundle.tar, ex.ops)
        elif ex.layer == "zst":
            tar = apply_edits(container.seal(bundle.tar), ex.ops)
        elif ex.layer == "zgarbage":  # the zstd magic, then anything
            tar = container.MAGIC + ex.garbage
        elif ex.layer == "members":
            tar = build_tar(ex.members, bundle, ex.tar_format) or bundle.tar
        else:
            tar = ex.garbage
        try:
            json_bytes, signature = fmt.unpack(tar)
        except fmt.BundleRejected as exc:
            assert catalog_has(f"bundle.reject.{exc.reason}")
            return
        assert isinstance(signature, str)
    elif ex.layer == "json":
        json_bytes = apply_edits(bundle.json, ex.ops)
    else:
        doc = apply_doc_edits(world, bundle, orjson.loads(bundle.json), ex.edits)
        json_bytes = fmt.encode(doc)
    try:
        fmt.decode(json_bytes)
    except fmt.BundleRejected as exc:
        assert catalog_has(f"bundle.reject.{exc.reason}")


# Key files and key rotation statements (also carried on a USB stick).
@dataclass(frozen=True)
class KeyFileMutation:
    kind: str  # "keyfile", "rotation"
    ops: tuple[Op | LineOp, ...]
    field: str  # for a rotation: a statement field to change, then re-sign ("" : none)
    value: str
    signer: str  # who signs the changed statement as the old key: "a", "b", "new"


def key_file_mutations() -> st.SearchStrategy[KeyFileMutation]:
    return st.builds(
        KeyFileMutation, st.sampled_from(["keyfile", "rotation", "rotation"]),
        st.one_of(st.just(()), byte_ops().map(tuple), edits().map(tuple)),
        st.sampled_from(["", "", "code", "name", "old_fingerprint", "time", "recipient",
                         "minisign_public_key", "format", "version"]),
        st.sampled_from(["A1", "B2", "C3", "", "x" * 100, "@a_fp", "@b_fp", "@b_pub",
                         "@other", "0", "branchtool-key-rotation"]),
        st.sampled_from(["a", "a", "b", "new"]))


def _rotation(world: OfficeWorld, ex: KeyFileMutation) -> bytes:
    from branchtool.keyfiles import BRANCH_FORMAT, KeyFile
    from branchtool.office.rotation import make_rotation

    branches = {b["code"]: b for b in world.office.branches()}
    fps = {f"@{c[0].lower()}_fp": b["keys"][-1]["fingerprint"] for c, b in branches.items()}
    pubs = {f"@{c[0].lower()}_pub": b["keys"][-1]["minisign_public_key"]
            for c, b in branches.items()}
    fields = {"code": "A1", "name": "第一党支部", "old_fingerprint": fps["@a_fp"],
              "time": "2026-11-20T08:00:00Z", "recipient": world.new_recipient,
              "minisign_public_key": world.new_secret.public_key_text()}
    if ex.field in fields:
        fields[ex.field] = {**fps, **pubs, "@other": world.other_recipient}.get(ex.value,
                                                                                 ex.value)
    new_key = KeyFile(BRANCH_FORMAT, fields["name"], fields["recipient"],
                      fields["minisign_public_key"], code=fields["code"])
    old = {"a": world.signers["a"], "b": world.signers["b"], "new": world.new_secret}[ex.signer]

    def signer(secret: minisign.SecretKey) -> Callable[[bytes, str], str]:
        return lambda data, comment: minisign.sign(data, secret, "rotation")

    try:
        data = make_rotation(fields["code"], fields["name"], fields["old_fingerprint"],
                             new_key, fields["time"], signer(old), signer(world.new_secret))
    except (ValueError, KeyError, TypeError):  # a field the statement cannot carry
        data = world.rotation
    if ex.field in ("format", "version"):
        outer = orjson.loads(data)
        outer[ex.field] = ex.value
        data = orjson.dumps(outer)
    return apply_edits(data, ex.ops) if ex.ops else data


def check_key_files(world: OfficeWorld, ex: KeyFileMutation) -> None:
    from branchtool.errors import UserError
    from branchtool.keyfiles import BRANCH_FORMAT, parse_key_file
    from branchtool.office.rotation import parse_rotation

    trust = world.office.trust
    if ex.kind == "keyfile":
        data = apply_edits(world.key_file, ex.ops) if ex.ops else world.key_file
        try:
            key = parse_key_file(data, BRANCH_FORMAT)
            trust.preview(key)
        except UserError as exc:
            user_error_ok(exc)
        return
    try:
        rotation = parse_rotation(_rotation(world, ex))
        trust.rotate(rotation)
    except UserError as exc:
        user_error_ok(exc)
        assert world.held_digest() == world.digest, (
            "a refused rotation changed the office store")
        return
    try:  # applied: the genuine one, or one the branch's own current key signed
        genuine = parse_rotation(world.rotation).statement
        assert rotation.code in ("A1", "B2")
        assert rotation.statement == genuine or ex.signer == {"A1": "a", "B2": "b"}[
            rotation.code], "a rotation signed by another key was applied"
        assert world.office.vault.check() == []
    finally:
        world.reset()


BUNDLES = Target("bundles", OfficeWorld.build, [
    Prop("office import of damaged bundles", bundle_mutations(), check_office_import),
    Prop("format.unpack and format.decode", format_inputs(), check_format),
    Prop("key files and key rotations", key_file_mutations(), check_key_files),
])
