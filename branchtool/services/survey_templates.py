"""Survey templates: the column and answer choices made for one
questionnaire, kept in the vault (partition ``survey_templates``, encrypted
like everything else) and applied by themselves the next time the same
questionnaire's export is imported, in the app and in the CLI.

A questionnaire is recognised by its header set (``survey_headers.signature``:
the questions without their numbers, the tool's own columns left out): the
same set, or one that shares nearly all its questions (a question added or
reworded) with a template. Columns are remembered by their question, so a
tool that renumbers or reorders them changes nothing.

A template document::

    {"id", "name", "questions": [...], "columns": {question: key or ""},
     "values": {field: {folded answer: stored value}},
     "spellings": {field: {folded answer: the answer as first written}},
     "created_at", "updated_at", "used_at", "uses"}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from branchtool.errors import UserError
from branchtool.services import survey_headers as headers_mod
from branchtool.services.survey_words import fold

PARTITION = "survey_templates"
# Share of questions two header sets must have in common to be one questionnaire.
SIMILAR = 0.8
NAME_LENGTH = 40


class PartitionLike(Protocol):
    def all(self) -> list[dict[str, Any]]: ...
    def get(self, record_id: str) -> dict[str, Any] | None: ...
    def insert(self, doc: dict[str, Any]) -> str: ...
    def update(self, record_id: str, changes: dict[str, Any]) -> dict[str, Any]: ...
    def replace(self, record_id: str, doc: dict[str, Any]) -> dict[str, Any]: ...
    def remove(self, record_id: str) -> None: ...


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class Template:
    id: str
    name: str
    questions: list[str]
    columns: dict[str, str] = field(default_factory=dict)  # folded question -> key or ""
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    spellings: dict[str, dict[str, str]] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)  # folded question -> as written
    created_at: str = ""
    updated_at: str = ""
    used_at: str = ""
    uses: int = 0

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Template:
        def str_map(value: object) -> dict[str, str]:
            return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}

        def nested(value: object) -> dict[str, dict[str, str]]:
            return ({str(k): str_map(v) for k, v in value.items()}
                    if isinstance(value, dict) else {})

        return cls(str(doc["id"]), str(doc.get("name", "")),
                   [str(q) for q in doc.get("questions", [])],
                   str_map(doc.get("columns")), nested(doc.get("values")),
                   nested(doc.get("spellings")), str_map(doc.get("titles")),
                   str(doc.get("created_at", "")),
                   str(doc.get("updated_at", "")), str(doc.get("used_at", "")),
                   int(doc.get("uses", 0) or 0))

    def to_doc(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "questions": self.questions,
                "columns": self.columns, "values": self.values, "spellings": self.spellings,
                "titles": self.titles, "created_at": self.created_at, "updated_at": self.updated_at,
                "used_at": self.used_at, "uses": self.uses}

    def overlap(self, questions: frozenset[str]) -> float:
        mine = frozenset(self.questions)
        union = mine | questions
        return len(mine & questions) / len(union) if union else 0.0

    def mapping_for(self, headers: Sequence[str]) -> list[str | None]:
        """The key of each column: the template's choice for its question,
        else the guess (a question the template has not seen)."""
        guessed = headers_mod.guess_mapping(headers)
        out: list[str | None] = []
        taken = {self.columns[q] for q in (column_id(h) for h in headers if h)
                 if self.columns.get(q)}
        for header, guess in zip(headers, guessed, strict=True):
            question = column_id(header) if header else ""
            if question in self.columns:
                out.append(self.columns[question] or None)
            elif guess and guess in taken:
                out.append(None)
            else:
                out.append(guess)
        return out

    def value_count(self) -> int:
        return sum(len(v) for v in self.values.values())


def column_id(header: str) -> str:
    """How a template knows a column: its question's text without number."""
    return fold(headers_mod.question_text(header)) or fold(header)


class TemplateStore:
    def __init__(self, partition: PartitionLike, now: Callable[[], str] = _now) -> None:
        self._part = partition
        self._now = now

    def all(self) -> list[Template]:
        """Every template, the most recently used first."""
        templates = [Template.from_doc(d) for d in self._part.all()]
        return sorted(templates, key=lambda t: (t.used_at or t.updated_at), reverse=True)

    def get(self, template_id: str) -> Template:
        doc = self._part.get(template_id)
        if doc is None:
            raise UserError("survey.template.not_found")
        return Template.from_doc(doc)

    def find(self, headers: Sequence[str]) -> Template | None:
        """The template of the questionnaire these headers belong to."""
        questions = headers_mod.signature(headers)
        if not questions:
            return None
        best: Template | None = None
        best_overlap = 0.0
        for template in self.all():
            overlap = template.overlap(questions)
            if overlap > best_overlap:
                best, best_overlap = template, overlap
        return best if best is not None and best_overlap >= SIMILAR else None

    def remember(self, headers: Sequence[str], mapping: Sequence[str | None],
                 values: Mapping[str, Mapping[str, str]],
                 spellings: Mapping[str, Mapping[str, str]] | None = None, *,
                 name: str = "", template_id: str | None = None) -> Template:
        """Keep the choices made for this questionnaire (a new template, or
        ``template_id``'s updated) after an import that used them."""
        now = self._now()
        columns = {column_id(h): key or "" for h, key in zip(headers, mapping, strict=True)
                   if h}
        titles = {column_id(h): _name(headers_mod.question_text(h) or h)[:80]
                  for h in headers if h}
        clean_values = {f: dict(v) for f, v in values.items() if v}
        known = {f: dict(v) for f, v in (spellings or {}).items()}
        if template_id is not None:
            old = self.get(template_id)
            merged_spellings = {f: {**old.spellings.get(f, {}), **known.get(f, {})}
                                for f in {*old.spellings, *known}}
            template = Template(old.id, old.name, sorted(headers_mod.signature(headers)),
                                {**old.columns, **columns}, clean_values,
                                {f: {k: v for k, v in s.items()
                                     if k in clean_values.get(f, {})}
                                 for f, s in merged_spellings.items()},
                                {**old.titles, **titles}, old.created_at, now, now,
                                old.uses + 1)
            self._part.replace(old.id, template.to_doc())
            return template
        template = Template("", _name(name), sorted(headers_mod.signature(headers)), columns,
                            clean_values,
                            {f: {k: v for k, v in s.items() if k in clean_values.get(f, {})}
                             for f, s in known.items()}, titles, now, now, now, 1)
        doc = template.to_doc()
        del doc["id"]
        template.id = self._part.insert(doc)
        return template

    # -- reviewing and editing ---------------------------------------------------------
    def rename(self, template_id: str, name: str) -> Template:
        template = self.get(template_id)
        if not name.strip():
            raise UserError("survey.template.name_required")
        return self._save(template, name=_name(name))

    def set_column(self, template_id: str, question: str, key: str | None) -> Template:
        template = self.get(template_id)
        return self._save(template, columns={**template.columns, question: key or ""})

    def set_value(self, template_id: str, key: str, answer: str, value: str | None) -> Template:
        """Map the folded ``answer`` of ``key`` to ``value`` (``None``: forget it)."""
        template = self.get(template_id)
        values = {f: dict(v) for f, v in template.values.items()}
        spellings = {f: dict(v) for f, v in template.spellings.items()}
        if value is None:
            values.get(key, {}).pop(answer, None)
            spellings.get(key, {}).pop(answer, None)
        else:
            values.setdefault(key, {})[answer] = value
        return self._save(template, values={f: v for f, v in values.items() if v},
                          spellings={f: v for f, v in spellings.items() if v})

    def delete(self, template_id: str) -> None:
        self.get(template_id)
        self._part.remove(template_id)

    def _save(self, template: Template, **changes: Any) -> Template:
        doc = {**template.to_doc(), **changes, "updated_at": self._now()}
        self._part.replace(template.id, doc)
        return Template.from_doc(doc)


def _name(name: str) -> str:
    return " ".join("".join(c if c.isprintable() else " " for c in name).split())[:NAME_LENGTH]
