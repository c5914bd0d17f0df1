"""The branch secretary's name and phone (书记姓名、联系电话): whom the office
phones when a report is missing or a file was refused.

Personal data: kept in the vault's encrypted store as the encrypted setting
``contact`` (``session.setting``/``set_setting``, the ``vault_settings``
partition; docs/internals.md), behind ``Session.contact`` /
``Session.save_contact``, never in vault.json. The secretary hands it to the
office on purpose: it is written into the branch's key file (``<code>.pub``)
and into every bundle (signed, ``branch.secretary``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from branchtool.errors import UserError

SETTING = "contact"  # the encrypted setting's name
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


class Settings(Protocol):
    """What keeps encrypted settings: an unlocked ``Session`` or ``Vault``."""

    def setting(self, name: str, default: Any = None) -> Any: ...

    def set_setting(self, name: str, value: Any) -> None: ...


def read(settings: Settings) -> Contact:
    """The contact kept (an empty one when none is, or what is kept is not
    well formed)."""
    found = from_json(settings.setting(SETTING))
    return found if found is not None else Contact()


def save(settings: Settings, contact: Contact) -> None:
    """Keep ``contact`` (one journal write); an empty one removes it."""
    settings.set_setting(SETTING, contact.to_json() if contact else None)
