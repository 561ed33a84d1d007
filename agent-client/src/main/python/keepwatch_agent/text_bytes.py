"""Configuration bytes as text: bytes that are not UTF-8 survive the round trip (as surrogates)."""


def decode_text(data: bytes) -> str:
    """Config bytes to text; bytes that are not UTF-8 survive the round trip as surrogates."""
    return data.decode("utf-8", "surrogateescape")


def encode_text(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")
