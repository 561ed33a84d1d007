"""keepalived.service: the command line systemd would run (read, never run)."""

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Tuple  # noqa: F401

UNIT_VAR_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")
UNIT_EXEC_PREFIXES = "-@:+!"


def split_unit_words(text: str) -> "List[Tuple[str, bool]]":
    """systemd's word splitting of a command line or assignment list: (word, was quoted)."""
    words = []  # type: List[Tuple[str, bool]]
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        word = []
        quoted = False
        while i < n and not text[i].isspace():
            ch = text[i]
            if ch in "\"'":
                quoted = True
                end = i + 1
                while end < n and text[end] != ch:
                    if text[end] == "\\" and ch == '"' and end + 1 < n:
                        end += 1
                    word.append(text[end])
                    end += 1
                i = end + 1
                continue
            if ch == "\\" and i + 1 < n:
                i += 1
                ch = text[i]
            word.append(ch)
            i += 1
        words.append(("".join(word), quoted))
    return words


def parse_env_file(text: str) -> "Dict[str, str]":
    """KEY=VALUE lines of an EnvironmentFile (Debian's DAEMON_ARGS, RHEL's KEEPALIVED_OPTIONS)."""
    env = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        key, eq, value = line.partition("=")
        key = key.strip()
        if not eq or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", key):
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        env[key] = value
    return env


def parse_unit(text: str) -> "Dict[str, Any]":
    """The [Service] lines that matter: the last ExecStart, Environment and EnvironmentFile."""
    result = {"exec_start": None, "environment": {}, "env_files": []}  # type: Dict[str, Any]
    section = None
    pending = ""
    for raw in text.splitlines():
        line = pending + raw.strip()
        pending = ""
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            section = line
            continue
        if section != "[Service]":
            continue
        key, _, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if key == "ExecStart":
            result["exec_start"] = value or None
        elif key == "Environment":
            if not value:
                result["environment"] = {}
            for word, _ in split_unit_words(value):
                name, eq, setting = word.partition("=")
                if eq:
                    result["environment"][name] = setting
        elif key == "EnvironmentFile":
            if not value:
                result["env_files"] = []
            else:
                result["env_files"].append((value.lstrip("-"), value.startswith("-")))
    return result


def unit_exec_argv(exec_start: str, env: "Dict[str, str]") -> "List[str]":
    """ExecStart as the argv systemd would start: $VAR split into words, ${VAR} one word."""
    words = split_unit_words(exec_start)
    if not words:
        return []
    first, quoted = words[0]
    prefix = ""
    while first and first[0] in UNIT_EXEC_PREFIXES:
        prefix += first[0]
        first = first[1:]
    words[0] = (first, quoted)
    if not first:
        words = words[1:]
    if "@" in prefix and words:
        words = words[1:]   # @path argv0 ...: the first word is run, the second is its argv[0]
    argv = []
    for word, quoted in words:
        m = UNIT_VAR_RE.match(word)
        if not quoted and m and m.group(2) and m.end() == len(word):
            argv.extend(env.get(m.group(2), "").split())
            continue
        argv.append(UNIT_VAR_RE.sub(lambda v: env.get(v.group(1) or v.group(2), ""), word))
    return argv
