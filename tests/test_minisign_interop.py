"""storage.minisign against Debian's reference `minisign` binary, both directions."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from storage import minisign
from storage.minisign import BadGlobalSignatureError, BadSignatureError, PublicKey, SecretKey

pytestmark = pytest.mark.interop


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), cwd=cwd, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL
    )


@pytest.fixture(scope="module")
def ref_keys(minisign_bin: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A key pair made by `minisign -G -W` (no password)."""
    d = tmp_path_factory.mktemp("ref-keys")
    pub, key = d / "ref.pub", d / "ref.key"
    r = run(minisign_bin, "-G", "-W", "-p", str(pub), "-s", str(key), cwd=d)
    assert r.returncode == 0, r.stderr
    return pub, key


# --- branchtool signs, minisign verifies --------------------------------------


@pytest.mark.parametrize(
    ("data", "comment"),
    [
        (b"", "empty"),
        (b"{}\n", "timestamp:1700000000\tfile:bundle.json\thashed"),
        (bytes(range(256)) * 8192, "2 MiB"),
        ("零报告\n".encode(), "第三党支部 2026-11-03 零报告"),
    ],
    ids=["empty", "small", "2MiB", "chinese"],
)
def test_minisign_verifies_branchtool(
    minisign_bin: str, tmp_path: Path, data: bytes, comment: str
) -> None:
    secret, pub_text = minisign.generate_keypair()
    (tmp_path / "file").write_bytes(data)
    (tmp_path / "key.pub").write_text(pub_text, encoding="utf-8", newline="")
    (tmp_path / "file.minisig").write_text(
        minisign.sign(data, secret, comment), encoding="utf-8", newline=""
    )
    r = run(minisign_bin, "-Vm", "file", "-p", "key.pub", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "Signature and comment signature verified",
        f"Trusted comment: {comment}",
    ]
    # -H: minisign requires the prehashed form -- ours is.
    r = run(minisign_bin, "-V", "-H", "-m", "file", "-p", "key.pub", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    # -P: the public key as its one base64 line.
    r = run(minisign_bin, "-Vm", "file", "-P", PublicKey.parse(pub_text).to_base64(), cwd=tmp_path)
    assert r.returncode == 0, r.stderr


def test_minisign_rejects_tampered_branchtool_signature(minisign_bin: str, tmp_path: Path) -> None:
    secret, pub_text = minisign.generate_keypair()
    sig = minisign.sign(b"original", secret, "tc")
    (tmp_path / "key.pub").write_text(pub_text)
    (tmp_path / "file.minisig").write_text(sig)
    (tmp_path / "file").write_bytes(b"altered!")
    r = run(minisign_bin, "-Vm", "file", "-p", "key.pub", cwd=tmp_path)
    assert r.returncode != 0
    assert "Signature verification failed" in r.stderr
    (tmp_path / "file").write_bytes(b"original")
    (tmp_path / "file.minisig").write_text(
        sig.replace("trusted comment: tc", "trusted comment: tC")
    )
    r = run(minisign_bin, "-Vm", "file", "-p", "key.pub", cwd=tmp_path)
    assert r.returncode != 0
    assert "Comment signature verification failed" in r.stderr


def test_minisign_key_id_matches(minisign_bin: str, tmp_path: Path) -> None:
    """minisign names our key ids in its mismatch message."""
    secret, _ = minisign.generate_keypair()
    _, other_pub = minisign.generate_keypair()
    (tmp_path / "file").write_bytes(b"x")
    (tmp_path / "file.minisig").write_text(minisign.sign(b"x", secret, "tc"))
    (tmp_path / "other.pub").write_text(other_pub)
    r = run(minisign_bin, "-Vm", "file", "-p", "other.pub", cwd=tmp_path)
    assert r.returncode != 0
    # minisign 0.11 prints these ids without zero padding ("%" PRIX64); the
    # .pub comment line and key_id() pad them to 16 digits ("%016" PRIX64).
    m = re.search(r"is ([0-9A-F]+)\s+but the key id in the public key is ([0-9A-F]+)", r.stderr)
    assert m is not None, r.stderr
    assert m.group(1).zfill(16) == secret.key_id
    assert m.group(2).zfill(16) == minisign.key_id(other_pub)


def test_key_id_keeps_leading_zeros(minisign_bin: str, tmp_path: Path) -> None:
    """A key id starting with zeros is printed in full, as in minisign's .pub comment."""
    secret = SecretKey(bytes([1, 2, 3, 4, 5, 6, 0, 0]), b"\x05" * 32)
    assert secret.key_id == "0000060504030201"
    (tmp_path / "key.pub").write_text(secret.public_key_text())
    (tmp_path / "file").write_bytes(b"x")
    (tmp_path / "file.minisig").write_text(minisign.sign(b"x", secret, "zeros"))
    r = run(minisign_bin, "-Vm", "file", "-p", "key.pub", cwd=tmp_path)
    assert r.returncode == 0, r.stderr


# --- minisign signs, branchtool verifies --------------------------------------


def test_reference_public_key_text_round_trips(ref_keys: tuple[Path, Path]) -> None:
    text = ref_keys[0].read_text()
    pk = PublicKey.parse(text)
    # our writer produces minisign's bytes, but for the key id in the comment:
    # Debian's minisign prints it with %X, dropping leading zeros (one key in
    # sixteen starts with a zero digit); branchtool always writes 16 digits
    comment, key = text.splitlines()
    ours_comment, ours_key = pk.to_text().splitlines()
    assert ours_key == key
    prefix = "untrusted comment: minisign public key "
    assert comment.startswith(prefix) and ours_comment == prefix + pk.key_id
    assert comment[len(prefix):].zfill(16) == pk.key_id


@pytest.mark.parametrize("legacy", [False, True], ids=["prehashed-ED", "legacy-Ed"])
@pytest.mark.parametrize(
    "data", [b"", b"hello\n", bytes(range(256)) * 12289], ids=["empty", "small", "3MiB"]
)
def test_branchtool_verifies_minisign(
    minisign_bin: str, ref_keys: tuple[Path, Path], tmp_path: Path, legacy: bool, data: bytes
) -> None:
    pub, key = ref_keys
    f = tmp_path / "file"
    f.write_bytes(data)
    args = [minisign_bin, "-S", "-s", str(key), "-m", "file", "-t", "ref trusted 评论"]
    if legacy:
        args.append("-l")
    r = run(*args, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    sig_text = (tmp_path / "file.minisig").read_text(encoding="utf-8")
    parsed = minisign.parse_signature(sig_text)
    assert parsed.prehashed is (not legacy)
    pub_text = pub.read_text()
    assert minisign.verify(data, sig_text, pub_text, allow_legacy=legacy) == "ref trusted 评论"
    assert minisign.verify_file(f, sig_text, pub_text, allow_legacy=legacy) == "ref trusted 评论"
    with pytest.raises(BadSignatureError):
        minisign.verify(data + b"!", sig_text, pub_text, allow_legacy=legacy)
    tampered = sig_text.replace("ref trusted", "ref trusteD")
    with pytest.raises(BadGlobalSignatureError):
        minisign.verify(data, tampered, pub_text, allow_legacy=legacy)
    if legacy:
        with pytest.raises(minisign.LegacySignatureError):
            minisign.verify(data, sig_text, pub_text, allow_legacy=False)


def test_branchtool_verifies_minisign_defaults(
    minisign_bin: str, ref_keys: tuple[Path, Path], tmp_path: Path
) -> None:
    """Default trusted comment (timestamp, file name, 'hashed') and a custom untrusted one."""
    pub, key = ref_keys
    (tmp_path / "report.json").write_bytes(b'{"ok": true}')
    r = run(minisign_bin, "-S", "-s", str(key), "-m", "report.json", "-c", "from ref", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    sig_text = (tmp_path / "report.json.minisig").read_text()
    tc = minisign.verify(b'{"ok": true}', sig_text, pub.read_text())
    assert tc.startswith("timestamp:")
    assert tc.endswith("\tfile:report.json\thashed")
    assert minisign.parse_signature(sig_text).untrusted_comment == "from ref"


def test_branchtool_verifies_minisign_crlf(
    minisign_bin: str, ref_keys: tuple[Path, Path], tmp_path: Path
) -> None:
    """A .minisig and .pub that went through a Windows editor (CRLF)."""
    pub, key = ref_keys
    (tmp_path / "file").write_bytes(b"data")
    r = run(minisign_bin, "-S", "-s", str(key), "-m", "file", "-t", "crlf", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    sig_text = (tmp_path / "file.minisig").read_text().replace("\n", "\r\n")
    pub_text = pub.read_text().replace("\n", "\r\n")
    assert minisign.verify(b"data", sig_text, pub_text) == "crlf"


def test_secret_key_survives_text_form_for_reference_verification(
    minisign_bin: str, tmp_path: Path
) -> None:
    """A key stored with to_text() and reloaded still signs what minisign accepts."""
    secret, pub_text = minisign.generate_keypair()
    again = SecretKey.from_text(secret.to_text())
    (tmp_path / "file").write_bytes(b"payload")
    (tmp_path / "file.minisig").write_text(minisign.sign(b"payload", again, "reloaded"))
    (tmp_path / "key.pub").write_text(again.public_key_text())
    assert again.public_key_text() == pub_text
    r = run(minisign_bin, "-Vm", "file", "-p", "key.pub", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Trusted comment: reloaded" in r.stdout
