"""Notices from above (上级通知) and their relay to every member (传达到全体党员).

A notice is stored in the ``notices`` partition; each member's relay in
``relays`` under the stable id ``"{notice}:{person}"``: how, when and by whom
it was relayed, whether the member acknowledged or studied it, and the notes of
a supervision check (督导检查).
"""

from __future__ import annotations

from collections.abc import Iterator

from branchtool import i18n
from branchtool.records.fields import FieldDef, Kind, Problem, RecordDef, Ref

AUDIENCES = ("members", "everyone")
# How a notice is relayed (传达方式); "other" says how in ``method_other``.
METHODS = ("wechat_group", "qq_group", "dingtalk", "tencent_meeting", "sms", "phone",
           "in_person", "written", "other")
OTHER_METHOD = "other"
# Offered no more, still read: relays recorded before (支部会议, 微信).
LEGACY_METHODS = ("meeting", "wechat")
RESPONSES = ("acknowledged", "studied")
NOTICE_META = ("id", "created_at", "updated_at")
RELAY_META = ("id", "notice", "person", "updated_at")

NOTICE_FIELDS = (
    FieldDef("number", width=18, priority=40, max_length=40),
    FieldDef("issuer", width=10, priority=30, max_length=40),
    FieldDef("issued_on", Kind.DATE, required=True, width=13, priority=70),
    FieldDef("title", required=True, width=24, priority=100, max_length=100),
    FieldDef("text", Kind.NOTE, max_length=20000),
    FieldDef("deadline", Kind.DATE, width=13, priority=50),
    FieldDef("audience", Kind.CHOICE, required=True, choices=AUDIENCES, default="members",
             width=4, priority=20),
)


def check_notice(values: dict[str, str]) -> Iterator[Problem]:
    deadline, issued = values.get("deadline", ""), values.get("issued_on", "")
    if deadline and issued and deadline[:len(issued)] < issued[:len(deadline)]:
        yield Problem("notice.check.deadline_before_issue", "deadline", {},
                      Ref("notice.field.deadline"))


NOTICE = RecordDef("notice", NOTICE_FIELDS, checks=(check_notice,))

RELAY_FIELDS = (
    FieldDef("method", Kind.CHOICE, choices=METHODS + LEGACY_METHODS, width=8, priority=60),
    FieldDef("method_other", max_length=30),
    FieldDef("relayed_on", Kind.DATE, width=13, priority=70),
    FieldDef("relayed_by", width=8, priority=30, max_length=20),
    FieldDef("response", Kind.CHOICE, choices=RESPONSES, width=6, priority=50),
    FieldDef("responded_on", Kind.DATE, width=13, priority=45),
    # How the response was learnt ("在班级群里接龙确认").
    FieldDef("response_note", Kind.NOTE, max_length=200),
    FieldDef("check_note", Kind.NOTE, max_length=300),
)


def check_relay(values: dict[str, str]) -> Iterator[Problem]:
    """A relay names both how and when; a response needs the relay first."""
    for key, other in (("method", "relayed_on"), ("relayed_on", "method")):
        if values.get(key) and not values.get(other):
            yield Problem("field.required", other, {}, Ref(f"relay.field.{other}"))
    if values.get("method") == OTHER_METHOD and not values.get("method_other", "").strip():
        yield Problem("relay.check.other_needs_text", "method_other", {},
                      Ref("relay.field.method_other"))
    if values.get("response") and not values.get("relayed_on"):
        yield Problem("relay.check.response_before_relay", "response", {},
                      Ref("relay.field.response"))


def drop_other_method(values: dict[str, str]) -> None:
    if values.get("method") != OTHER_METHOD:
        values["method_other"] = ""


RELAY = RecordDef("relay", RELAY_FIELDS, checks=(check_relay,), completions=(drop_other_method,))


def method_text(relay: dict[str, str] | None) -> str:
    """How a relay was made, as the user reads it ("其他：班级群接龙")."""
    relay = relay or {}
    method = relay.get("method", "")
    label = RELAY.field("method").display(method)
    if method == OTHER_METHOD and relay.get("method_other"):
        return i18n.t("relay.method.other_text", text=relay["method_other"])
    return label


def relay_id(notice_id: str, person_id: str) -> str:
    return f"{notice_id}:{person_id}"
