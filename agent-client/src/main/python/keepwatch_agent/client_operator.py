"""The operator a client says it acts for (hello's client.operator): their own user and workstation, written in every
audit line beside the node's login user. The client says so, nothing proves it: it is recorded as information,
bounded and printable, and never used to decide anything."""

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Optional  # noqa: F401

MAX_OPERATOR_FIELD_CHARS = 64
OPERATOR_FIELDS = ("user", "workstation")
PRINTABLE_NAME = re.compile(r"^[\x21-\x7e][\x20-\x7e]*$")


def operator_from_client(client: "Any") -> "Optional[Dict[str, str]]":
    """{user, workstation} from hello's client argument; None when it names none. A field that is not a short
    printable string is left out, so a client cannot write control characters or megabytes into the audit log."""
    if not isinstance(client, dict):
        return None
    said = client.get("operator")
    if not isinstance(said, dict):
        return None
    operator = {}
    for field in OPERATOR_FIELDS:
        value = said.get(field)
        if isinstance(value, str) and len(value) <= MAX_OPERATOR_FIELD_CHARS and PRINTABLE_NAME.match(value):
            operator[field] = value
    return operator or None


def operator_label(operator: "Optional[Dict[str, str]]", login: str) -> str:
    """Who acts, in a few words for a record a person reads: "alice@desk-7" as the client named them, else the node's
    login the agent runs for."""
    if not operator or "user" not in operator:
        return login
    return operator["user"] + ("@" + operator["workstation"] if "workstation" in operator else "")
