"""DKIM signing (RFC 6376) with dkimpy, for users who send through their own server.

With `[dkim] selector` and `key_file`, every message leadloop makes is signed,
relaxed/relaxed (RFC 6376 §3.4.2, §3.4.4: survives the header refolding and trailing
spaces relays add), over the headers receivers look at, List-Unsubscribe and
List-Unsubscribe-Post among them: Gmail and Yahoo's one-click unsubscribe requirement
asks for them to be covered by the signature (RFC 8058 §4). The signature goes on top
of the first chunk: attachments stay the shared objects transport.py sends as they are.

dkimpy does everything DKIM (canonicalization, the hashes, the header) but computes
RSA in Python: two 1024-bit `pow()`s, about 10 ms a message with a 2048-bit key, which
made a 1,000-message `send` six times slower (BENCH B3). The one RSA step (RFC 8017
RSASSA-PKCS1-v1_5, deterministic: the same bytes either way) is handed to OpenSSL
through `cryptography` instead, by replacing dkimpy's `RSASSA_PKCS1_v1_5_sign` with a
function of the same contract (`_use_openssl_rsa`); tests check both give the same
signature and that dkimpy's verify accepts the result. Without `cryptography`, dkimpy's
own code signs. Loaded only when [dkim] key_file is set.
"""

from __future__ import annotations

import base64
import dataclasses
from pathlib import Path

from ..errors import ConfigError

# Signed when present. From must be (RFC 6376 §5.4); the rest are what a forger would
# change. Headers named but absent are skipped by dkimpy.
SIGNED_HEADERS = (b"from", b"to", b"subject", b"date", b"message-id", b"reply-to",
                  b"list-unsubscribe", b"list-unsubscribe-post", b"mime-version",
                  b"content-type", b"content-transfer-encoding")
_RSA_ENCRYPTION = b"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01"  # OID 1.2.840.113549.1.1.1


def load_private_key(path: Path) -> tuple[bytes, dict]:
    """(PEM bytes, the parsed key) of [dkim] key_file; ConfigError when it cannot be used."""
    from dkim.crypto import UnparsableKeyError, parse_pem_private_key

    try:
        pem = Path(path).read_bytes()
    except OSError as err:
        raise ConfigError(f"[dkim] key_file {path}: cannot read it ({err.strerror})") from None
    try:
        key = parse_pem_private_key(pem.replace(b"\r\n", b"\n"))
    except (UnparsableKeyError, ValueError, IndexError, TypeError):
        raise ConfigError(f"[dkim] key_file {path}: not an RSA private key in PEM form "
                          "(make one with: openssl genrsa -out dkim.pem 2048)") from None
    return pem.replace(b"\r\n", b"\n"), key


def public_record(key: dict) -> str:
    """The DKIM key record for a private key: `v=DKIM1; k=rsa; p=<SubjectPublicKeyInfo>`."""
    # DER (X.690) of SubjectPublicKeyInfo { AlgorithmIdentifier { rsaEncryption, NULL },
    # BIT STRING { RSAPublicKey { modulus, publicExponent } } } (RFC 8017 A.1.1, RFC 5280
    # §4.1): dkimpy parses it but has no writer for integers.
    rsa_public = _der(0x30, _der_integer(key["modulus"]) + _der_integer(key["publicExponent"]))
    algorithm = _der(0x30, _der(0x06, _RSA_ENCRYPTION) + _der(0x05, b""))
    spki = _der(0x30, algorithm + _der(0x03, b"\x00" + rsa_public))
    return "v=DKIM1; k=rsa; p=" + base64.b64encode(spki).decode("ascii")


def _der(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return bytes([tag, size]) + content
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + content


def _der_integer(value: int) -> bytes:
    # Positive: one extra bit so that the top bit of the first byte is 0.
    return _der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def _use_openssl_rsa(dkim_module) -> None:
    """Let dkimpy's RSA signing step run in OpenSSL (see the module docstring)."""
    pure = dkim_module.RSASSA_PKCS1_v1_5_sign
    if getattr(pure, "openssl", False):
        return
    try:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
    except ImportError:
        return
    digests = {"sha256": hashes.SHA256, "sha1": hashes.SHA1}
    keys: dict[int, object] = {}

    def sign(hash, private_key):
        digest = digests.get(hash.name.lower())
        if digest is None:
            return pure(hash, private_key)
        key = keys.get(private_key["modulus"])
        if key is None:
            public = rsa.RSAPublicNumbers(private_key["publicExponent"], private_key["modulus"])
            key = keys[private_key["modulus"]] = rsa.RSAPrivateNumbers(
                p=private_key["prime1"], q=private_key["prime2"], d=private_key["privateExponent"],
                dmp1=private_key["exponent1"], dmq1=private_key["exponent2"],
                iqmp=private_key["coefficient"], public_numbers=public).private_key()
        return key.sign(hash.digest(), padding.PKCS1v15(), utils.Prehashed(digest()))

    sign.openssl = True
    sign.pure = pure
    dkim_module.RSASSA_PKCS1_v1_5_sign = sign


class Signer:
    def __init__(self, selector: str, domain: str, key_file: Path):
        import dkim

        _use_openssl_rsa(dkim)
        self._sign = dkim.sign
        self.selector, self.domain = selector.encode("ascii"), domain.encode("ascii")
        self.pem, key = load_private_key(key_file)
        self.bits = key["modulus"].bit_length()

    def sign(self, outgoing):
        """The same message with a DKIM-Signature header on top."""
        signature = self._sign(outgoing.data, self.selector, self.domain, self.pem,
                               canonicalize=(b"relaxed", b"relaxed"),
                               include_headers=list(SIGNED_HEADERS), linesep=b"\r\n")
        return dataclasses.replace(outgoing, chunks=(signature + outgoing.chunks[0], *outgoing.chunks[1:]))


def signer_for(config) -> Signer | None:
    """A Signer when [dkim] key_file is set, else None (and dkimpy is not imported)."""
    if not config.dkim.signs:
        return None
    domain = config.dkim.domain or config.sender.domain
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise ConfigError(f"[dkim] domain {domain!r} cannot be written in DNS") from None
    return Signer(config.dkim.selector, domain, config.dkim.key_file)
