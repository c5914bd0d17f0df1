"""A new passphrase is rated by zxcvbn: what it rates weakest ("12345678",
"password", "qwertyui", "11111111") is refused with the reason in the user's
language; the meter never calls such a passphrase fair."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures_app import WORK_FACTOR, chinese, english, make_app, text_of, vault_dir  # noqa: F401

from branchtool import passphrase
from branchtool.errors import UserError
from branchtool.session import Session
from screens.create_vault import CreateVaultScreen


@pytest.mark.parametrize(("secret", "why"), [
    ("12345678", "常见口令"),
    ("password", "常见口令"),
    ("abcdefgh", "连续的字母或数字"),
    ("11111111", "常见口令"),
])
def test_the_weakest_are_refused_with_the_reason(secret: str, why: str) -> None:
    with pytest.raises(UserError) as caught:
        passphrase.check_strength(secret)
    message = caught.value.message()
    assert message.startswith("口令太容易被猜出：") and why in message
    assert secret not in message  # never the passphrase itself
    verdict = passphrase.assess(secret)
    assert verdict.bars == 1 and verdict.refused == message


def test_the_reason_in_english(english: Iterator[None]) -> None:
    with pytest.raises(UserError) as caught:
        passphrase.check_strength("12345678")
    assert caught.value.message().startswith("The passphrase is too easy to guess: it is a common")


@pytest.mark.parametrize("secret", ["correct horse battery", "cs01 支部 2026 秋", "k8#Lq2!xVb"])
def test_good_passphrases_pass(secret: str) -> None:
    passphrase.check_strength(secret)
    assert passphrase.assess(secret).refused == "" and passphrase.strength(secret) >= 3


def test_a_very_long_passphrase_is_rated_quickly_enough_to_type() -> None:
    for secret in ("党支部工作" * 2000, "x7Kp!" * 15):  # zxcvbn itself stops at 72
        verdict = passphrase.assess(secret)  # only the first 72 characters are estimated
        assert verdict.refused == ""
        passphrase.check_strength(secret)


def test_short_is_refused_before_rating() -> None:
    assert passphrase.assess("abc").refused == "口令至少需要 8 个字符。"
    assert passphrase.assess("").bars == 0


async def test_the_create_form_refuses_12345678_and_says_why(vault_dir: Path) -> None:
    session = Session(vault_dir, work_factor=WORK_FACTOR)
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, CreateVaultScreen)
        screen.rows["code"].widget.value = "CS01"
        screen.rows["name"].widget.value = "计算机学院第一党支部"
        screen.rows["passphrase"].widget.value = "12345678"
        screen.rows["repeat"].widget.value = "12345678"
        await pilot.pause()
        assert "太容易被猜出" in text_of(app, "#create-strength")
        assert "一般" not in text_of(app, "#create-strength")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert screen.rows["passphrase"].problem.startswith("口令太容易被猜出：这是常见口令")
        assert not session.exists()
