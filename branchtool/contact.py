"""The branch secretary's name and phone (书记姓名、联系电话): whom the office
phones when a report is missing or a file was refused.

Personal data: kept in the vault's encrypted store (the document ``contact``
of the ``settings`` partition, behind ``Session.contact`` /
``Session.save_contact``), never in vault.json. The secretary hands it to the
office on purpose: it is written into the branch's key file (``<code>.pub``)
and into every bundle (signed, ``branch.secretary``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from branchtool.errors import UserError

PARTITION = "settings"
DOC_ID = "contact"
NAME_MAX = 30
PHONE_MAX = 30
# digits and what phone numbers are written with, an extension too (zhuan)
PHONE = re.compile("^[0-9+()# \\-\u8f6c]*$")


@dataclass(frozen=True)
class Contact:
    name: str = ""
    phone: str = ""

    def __bool__(self) -> bool:
        return bool(self.name or self.phone)

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "phone": self.phone}


def _printable(text: str) -> bool:
    return all(c.isprintable() for c in text)


def problem(name: str, phone: str) -> tuple[str, str] | None:
    """(field, catalog key) of what is wrong, or ``None``."""
    if len(name) > NAME_MAX or not _printable(name):
        return "name", "contact.bad_name"
    if phone and (len(phone) > PHONE_MAX or not PHONE.match(phone)
                  or sum(c.isdigit() for c in phone) < 3):
        return "phone", "contact.bad_phone"
    return None


def clean(name: str, phone: str) -> Contact:
    """The contact as typed, trimmed; ``UserError`` with what is wrong."""
    name, phone = name.strip(), phone.strip()
    found = problem(name, phone)
    if found is not None:
        raise UserError(found[1], maximum=NAME_MAX if found[0] == "name" else PHONE_MAX)
    return Contact(name, phone)


def from_json(value: Any) -> Contact | None:
    """What a key file or a bundle says, when it is well formed; ``None`` if not."""
    if not isinstance(value, dict):
        return None
    name, phone = value.get("name", ""), value.get("phone", "")
    if not isinstance(name, str) or not isinstance(phone, str) or problem(name, phone):
        return None
    return Contact(name, phone)


def read(vault: Any) -> Contact:
    found = from_json(vault.partition(PARTITION).get(DOC_ID))
    return found if found is not None else Contact()


def save(vault: Any, contact: Contact) -> None:
    vault.partition(PARTITION).upsert({"id": DOC_ID, **contact.to_json()})
