"""Interop with the reference ``age`` binary (Debian's age 1.1.x), both directions.

age reads passphrases from the terminal, so the passphrase direction runs it
under a pseudo-terminal and types the passphrase at each prompt.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from storage import age
from tests.ptykit import NO_PTY_REASON, POSIX_PTY, run_in_pty

pytestmark = pytest.mark.interop

TIMEOUT = 60.0
PASSPHRASE = "correct horse battery staple"
_PROMPT = re.compile(rb"passphrase[^\n]*:\s*$", re.IGNORECASE)


def run_with_terminal(argv: list[str], answer: str, timeout: float = TIMEOUT) -> tuple[int, bytes]:
    if not POSIX_PTY:
        pytest.skip(NO_PTY_REASON)
    try:
        return run_in_pty(argv, answer, timeout)
    except TimeoutError as exc:
        pytest.fail(str(exc))


def run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(argv, capture_output=True, timeout=TIMEOUT, check=False, **kwargs)  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, age.X25519Identity]:
    """An identity file as branchtool would write it, for ``age -i``."""
    identity = age.X25519Identity.generate()
    path = tmp_path_factory.mktemp("keys") / "key.txt"
    path.write_text(f"# public key: {identity.recipient()}\n{identity}\n")
    return path, identity


def plaintext(size: int) -> bytes:
    return os.urandom(size)


@pytest.mark.parametrize("armor", [False, True], ids=["binary", "armored"])
@pytest.mark.parametrize("size", [0, 1, 64 * 1024, 64 * 1024 + 1, 1_000_000])
def test_age_decrypts_what_branchtool_encrypts(
    age_bin: str, key_file: tuple[Path, age.X25519Identity], tmp_path: Path, size: int,
    armor: bool,
) -> None:
    path, identity = key_file
    data = plaintext(size)
    other = age.X25519Identity.generate().recipient()
    encrypted = tmp_path / "msg.age"
    encrypted.write_bytes(age.encrypt(data, [other, identity.recipient()], armor=armor))
    done = run([age_bin, "-d", "-i", str(path), str(encrypted)])
    assert done.returncode == 0, done.stderr
    assert done.stdout == data


def test_age_decrypts_branchtool_streams(
    age_bin: str, key_file: tuple[Path, age.X25519Identity], tmp_path: Path
) -> None:
    path, identity = key_file
    data = plaintext(3 * 1024 * 1024 + 5)
    source, encrypted = tmp_path / "big.bin", tmp_path / "big.age"
    source.write_bytes(data)
    with source.open("rb") as src, encrypted.open("wb") as dst:
        age.encrypt_stream(src, dst, [identity.recipient()])
    done = run([age_bin, "-d", "-i", str(path), str(encrypted)])
    assert done.returncode == 0, done.stderr
    assert done.stdout == data


@pytest.mark.parametrize("armor", [False, True], ids=["age-r", "age-e-a"])
@pytest.mark.parametrize("size", [0, 1, 64 * 1024, 64 * 1024 + 1, 1_000_000])
def test_branchtool_decrypts_what_age_encrypts(
    age_bin: str, key_file: tuple[Path, age.X25519Identity], tmp_path: Path, size: int,
    armor: bool,
) -> None:
    _, identity = key_file
    data = plaintext(size)
    other = age.X25519Identity.generate()
    argv = [age_bin, "-e", "-r", str(identity.recipient()), "-r", str(other.recipient())]
    done = run([*argv, *(["-a"] if armor else [])], input=data)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"-----BEGIN AGE" if armor else b"age-encryption.org/v1\n")
    assert age.decrypt(done.stdout, [identity]) == data
    assert age.decrypt(done.stdout, [str(other)]) == data
    encrypted = tmp_path / "from-age.age"
    encrypted.write_bytes(done.stdout)
    decrypted = tmp_path / "out.bin"
    with encrypted.open("rb") as src, decrypted.open("wb") as dst:
        age.decrypt_stream(src, dst, [identity])
    assert decrypted.read_bytes() == data


def test_age_keygen_identities_work_in_branchtool(age_bin: str, tmp_path: Path) -> None:
    keygen = Path(age_bin).with_name("age-keygen")
    if not keygen.exists():
        found = shutil.which("age-keygen")
        if found is None:
            pytest.skip("age-keygen not installed")
        keygen = Path(found)
    path = tmp_path / "key.txt"
    done = run([str(keygen), "-o", str(path)])
    assert done.returncode == 0, done.stderr
    (identity,) = age.parse_identities(path.read_text())
    recipient = run([str(keygen), "-y", str(path)]).stdout.decode().strip()
    assert str(identity.recipient()) == recipient
    encrypted = tmp_path / "msg.age"
    encrypted.write_bytes(age.encrypt(b"keygen", [recipient]))
    done = run([age_bin, "-d", "-i", str(path), str(encrypted)])
    assert done.returncode == 0 and done.stdout == b"keygen"


def test_age_decrypts_branchtool_passphrase_file(age_bin: str, tmp_path: Path) -> None:
    data = plaintext(70_000)
    encrypted, decrypted = tmp_path / "secret.age", tmp_path / "secret.out"
    # The default work factor, as the vault's identity.age uses.
    encrypted.write_bytes(age.encrypt_with_passphrase(data, PASSPHRASE))
    code, said = run_with_terminal([age_bin, "-d", "-o", str(decrypted), str(encrypted)],
                                   PASSPHRASE)
    assert code == 0, said
    assert b"passphrase" in said.lower()
    assert decrypted.read_bytes() == data


def test_age_rejects_wrong_passphrase_on_branchtool_file(age_bin: str, tmp_path: Path) -> None:
    encrypted, decrypted = tmp_path / "secret.age", tmp_path / "secret.out"
    encrypted.write_bytes(age.encrypt_with_passphrase(b"x", PASSPHRASE, work_factor=10))
    code, said = run_with_terminal([age_bin, "-d", "-o", str(decrypted), str(encrypted)],
                                   "not the passphrase")
    assert code != 0
    assert b"incorrect passphrase" in said or b"no identity matched" in said


@pytest.mark.parametrize("armor", [False, True], ids=["binary", "armored"])
def test_branchtool_decrypts_age_passphrase_file(
    age_bin: str, tmp_path: Path, armor: bool
) -> None:
    data = plaintext(100_000)
    source, encrypted = tmp_path / "plain.bin", tmp_path / "plain.age"
    source.write_bytes(data)
    argv = [age_bin, "-p", *(["-a"] if armor else []), "-o", str(encrypted), str(source)]
    code, said = run_with_terminal(argv, PASSPHRASE)
    assert code == 0, said
    assert b"confirm" in said.lower()  # age asked twice, through the terminal
    ciphertext = encrypted.read_bytes()
    assert b"-> scrypt " in (age.armor.dearmor(ciphertext) if armor else ciphertext)
    assert age.decrypt_with_passphrase(ciphertext, PASSPHRASE) == data
