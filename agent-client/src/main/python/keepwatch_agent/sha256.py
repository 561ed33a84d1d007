"""SHA-256 of bytes, without loading OpenSSL where the standard library allows it."""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any  # noqa: F401

_SHA256 = None  # type: Any


def sha256_hex(data: bytes) -> str:
    """sha256 without hashlib where the standard library allows it: hashlib loads OpenSSL, 3.7 MB of
    RSS on Python 3.11. _sha256 is in sys.stdlib_module_names of Python 3.6 to 3.11; 3.12 folded it
    into a private module of another name, which the agent does not import. From 3.12 on (and on a
    build without _sha256) hashlib is used: 16.9 MB with 200 routers plus those 3.7 MB is still
    under the agent's 25 MB."""
    global _SHA256
    if _SHA256 is None:
        try:
            from _sha256 import sha256 as impl      # Python 3.6 to 3.11
        except ImportError:
            from hashlib import sha256 as impl
        _SHA256 = impl
    return _SHA256(data).hexdigest()
