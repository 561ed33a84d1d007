"""The VRRP instances a configuration claims, read from its files as keepalived would, for daemons not dumped."""

import os
import re
import socket
import stat

from .config_files import INCLUDE_RE, MAX_INCLUDE_DEPTH, MAX_INCLUDED_FILES, strip_comment
from .daemon import SOURCE_CONFIG, STATE_UNKNOWN
from .dump_parsing import normalise_address, parse_vip
from .keepalived_defaults import DEFAULT_ADVERT_INT_S
from .protocol import AgentError, E_IO, E_NOT_FOUND, E_PARSE, E_PERMISSION
from .text_bytes import decode_text
from .trust import config_owner, file_key, lstat_signature, read_trusted

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Set, Tuple  # noqa: F401

# Files the agent (root) reads to learn what keepalived would run: a configuration and its includes,
# keepalived.service and its EnvironmentFile. Only regular files owned by root (or the agent's uid)
# and writable by nobody else, up to these sizes; nothing found this way is ever executed.
MAX_CLAIMS_FILE_BYTES = 4 * 1024 * 1024

CLAIM_TOKEN_RE = re.compile(r'"[^"]*"|[{}]|[^\s{}"]+')
CLAIM_VAR_DEF_RE = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")
CLAIM_VAR_USE_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")
CLAIM_STATES = ("MASTER", "BACKUP")
DEFAULT_VRRP_PRIORITY = 100
DEFAULT_VRRP_VERSION = 2


def local_config_id() -> str:
    """keepalived's config id without -i: the node name up to its first dot."""
    return socket.gethostname().split(".")[0]


class ClaimStmt(object):
    """One keyword line of a configuration, with the block it opens (children), if any."""
    __slots__ = ("words", "file", "line", "children")

    def __init__(self, words: "List[str]", file: str, line: int) -> None:
        self.words = words
        self.file = file
        self.line = line
        self.children = None  # type: Optional[List[ClaimStmt]]


def claim_error(stmt_or_file: "Any", line: "Optional[int]", message: str) -> AgentError:
    if isinstance(stmt_or_file, ClaimStmt):
        file, line = stmt_or_file.file, stmt_or_file.line
    else:
        file = stmt_or_file
    where = "%s line %d" % (file, line) if line else file
    return AgentError(E_PARSE, "%s: %s" % (where, message), {"file": file, "line": line})


class ClaimsReader(object):
    """The VRRP instances a configuration claims (vrrp_instance blocks), for daemons whose instances
    no dump told: hung, dead, or not running. Files are read as ConfigSet resolves them (includes in
    place, relative to the including file, globs sorted) in the daemon's filesystem view, each through
    read_trusted, the configuration's owner allowed (config_owner). A result is kept while every file it read
    has the same (dev, inode, size, mtime_ns), mode and owner, every include glob the same matches and the
    configuration the same owner, so a rescan costs one lstat per file and per part of the main file's way, not a
    parse."""

    def __init__(self) -> None:
        # (fs_root, main, config_id) -> (signature, (instances, error)); signature: ("o", main, owner) first, then
        # ("f", path, key|None) per file read and ("g", pattern, matches) per include glob
        self.results = {}  # type: Dict[Tuple[str, str, str], Tuple[List[Tuple[Any, ...]], Tuple[List[Dict[str, Any]], Optional[Dict[str, Any]]]]]

    def load(self, main: str, fs_root: str, config_id: str) -> "Tuple[List[Dict[str, Any]], Optional[Dict[str, Any]]]":
        """(instance records, None), or ([], error) with error {code, message, file, line}."""
        key = (fs_root, main, config_id)
        cached = self.results.get(key)
        owner = None  # type: Optional[int]
        refused = None  # type: Optional[AgentError]
        try:
            owner = config_owner(main, fs_root)     # looked at each time: a directory's chown changes no file's key
        except AgentError as exc:
            refused = exc
        mark = ("o", main, refused.message if refused is not None else owner)
        if cached is not None and cached[0][0] == mark and self._still_valid(cached[0][1:], fs_root):
            return cached[1]
        signature = [mark]  # type: List[Tuple[Any, ...]]
        try:
            if refused is not None:
                raise refused
            lines = []  # type: List[Tuple[str, int, str]]
            self._expand(main, fs_root, None, 0, set(), {}, config_id, lines, signature, owner)
            result = (self.parse(lines), None)  # type: Tuple[List[Any], Optional[Dict[str, Any]]]
        except AgentError as exc:
            details = exc.details or {}
            result = ([], {"code": exc.code, "message": exc.message, "file": details.get("file"),
                           "line": details.get("line")})
        self.results[key] = (signature, result)
        return result

    def parse(self, lines: "List[Tuple[str, int, str]]") -> "List[Any]":
        """What a result holds, from the configuration's lines: the instances it claims (a subclass may read
        something else of it, as the maintenance wiring reads its statements)."""
        return parse_claims(lines)

    def signature(self, main: str, fs_root: str, config_id: str) -> "Tuple[Any, ...]":
        """What the configuration's files are now (each file's path and lstat signature, the includes' globs'
        matches, the owner asked for): equal while nothing was written, renamed, added or removed."""
        self.load(main, fs_root, config_id)
        return tuple(self.results[(fs_root, main, config_id)][0])

    def retain(self, keys: "Set[Tuple[str, str, str]]") -> None:
        for key in [k for k in self.results if k not in keys]:
            del self.results[key]

    @staticmethod
    def _still_valid(signature: "List[Tuple[Any, ...]]", fs_root: str) -> bool:
        import glob
        for kind, path, value in signature:
            if kind == "g":
                if _glob_config(glob, fs_root, path) != value:
                    return False
                continue
            if lstat_signature(fs_root + path) != value:
                return False
        return True

    def _expand(self, path: str, fs_root: str, parent: "Optional[str]", depth: int, seen: "Set[str]",
                variables: "Dict[str, str]", config_id: str, out: "List[Tuple[str, int, str]]",
                signature: "List[Tuple[Any, ...]]", owner: "Optional[int]") -> None:
        """Appends (file, line, text) of path and, in place, of its includes: conditionals applied,
        variables substituted, comments removed."""
        if path in seen or len(seen) >= MAX_INCLUDED_FILES or depth > MAX_INCLUDE_DEPTH:
            return
        seen.add(path)
        before = lstat_signature(fs_root + path)
        try:
            data, st = read_trusted(path, MAX_CLAIMS_FILE_BYTES, fs_root, "a configuration file", owner)
        except FileNotFoundError:
            signature.append(("f", path, None))
            if parent is None:
                raise AgentError(E_NOT_FOUND, "%s does not exist" % path, {"file": path})
            return      # keepalived goes on without a missing include
        except AgentError as exc:
            signature.append(("f", path, before))     # kept until the file changes
            exc.details = {"file": path}
            raise
        except OSError as exc:
            signature.append(("f", path, before))
            raise AgentError(E_PERMISSION if isinstance(exc, PermissionError) else E_IO,
                             "cannot read %s: %s" % (path, exc.strerror or exc), {"file": path})
        # a link: what lstat_signature sees of it and its target, looked at before the read (a change after that
        # is seen at the next rescan); a file: exactly the version read
        exact = before is not None and not stat.S_ISLNK(before[4])
        signature.append(("f", path, file_key(st) + (st.st_mode, st.st_uid) if exact else before))
        base = os.path.dirname(path)
        for number, raw in enumerate(decode_text(data).splitlines(), 1):
            line = strip_comment(raw).strip()
            if not line:
                continue
            if line[0] == "@":
                parts = line.split(None, 1)
                negate = parts[0].startswith("@^")
                if (parts[0][2 if negate else 1:] == config_id) == negate or len(parts) < 2:
                    continue
                line = parts[1]
            if line[0] == "$":
                m = CLAIM_VAR_DEF_RE.match(line)
                if m:
                    variables[m.group(1)] = m.group(2).strip()
                    continue
            if variables and "$" in line:
                line = CLAIM_VAR_USE_RE.sub(lambda v: variables.get(v.group(1) or v.group(2), v.group(0)), line)
            m = INCLUDE_RE.match(line)
            if m is None:
                out.append((path, number, line))
                continue
            pattern = m.group(1).strip("\"'")
            full = pattern if pattern.startswith("/") else os.path.normpath(os.path.join(base, pattern))
            import glob
            if glob.has_magic(full):
                matches = _glob_config(glob, fs_root, full)
                signature.append(("g", full, matches))
                for match in matches:
                    self._expand(match, fs_root, path, depth + 1, seen, variables, config_id, out, signature, owner)
            else:
                self._expand(full, fs_root, path, depth + 1, seen, variables, config_id, out, signature, owner)


def _glob_config(glob: "Any", fs_root: str, pattern: str) -> "List[str]":
    """An include glob's matches in the daemon's view, sorted, directories left out (as ConfigSet)."""
    return sorted(m[len(fs_root):] for m in glob.glob(fs_root + pattern) if not os.path.isdir(m))


def claim_statements(lines: "List[Tuple[str, int, str]]") -> "List[ClaimStmt]":
    """keepalived's block structure: a line is a keyword and its words; '{' opens a block for the
    keyword before it (on the same line, or the line before), '}' closes one."""
    root = []  # type: List[ClaimStmt]
    stack = [root]
    opened = []  # type: List[ClaimStmt]
    for file, number, text in lines:
        words = []  # type: List[str]
        for token in CLAIM_TOKEN_RE.findall(text):
            if token == "{":
                current = stack[-1]
                if words:
                    stmt = ClaimStmt(words, file, number)
                    current.append(stmt)
                elif current and current[-1].children is None:
                    stmt = current[-1]      # the keyword was alone on the line before
                else:
                    raise claim_error(file, number, "'{' without a keyword")
                words = []
                stmt.children = []
                stack.append(stmt.children)
                opened.append(stmt)
            elif token == "}":
                if words:
                    stack[-1].append(ClaimStmt(words, file, number))
                    words = []
                if len(stack) == 1:
                    raise claim_error(file, number, "'}' without a block to close")
                stack.pop()
                opened.pop()
            else:
                words.append(token[1:-1] if token[0] == '"' else token)
        if words:
            stack[-1].append(ClaimStmt(words, file, number))
    if opened:
        raise claim_error(opened[-1], None, "block %s is not closed (missing '}')" % " ".join(opened[-1].words))
    return root


def _claim_number(stmt: ClaimStmt, low: float, high: float, integer: bool = True) -> "Any":
    if len(stmt.words) < 2:
        raise claim_error(stmt, None, "%s needs a value" % stmt.words[0])
    text = stmt.words[1]
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise claim_error(stmt, None, "%s %r is not a number from %s to %s" % (stmt.words[0], text, low, high))
    return value


def _whole(value: float) -> "Any":
    return int(value) if value == int(value) else value


def _claim_addresses(block: ClaimStmt, with_prefix: bool) -> "List[Tuple[str, Optional[str]]]":
    """The addresses of a virtual_ipaddress(_excluded) or unicast_peer block: (address or cidr, dev)."""
    result = []
    for stmt in block.children or []:
        text = stmt.words[0]
        addr, _, prefix = text.partition("/")
        family = socket.AF_INET6 if ":" in addr else socket.AF_INET
        try:
            socket.inet_pton(family, addr)
        except (OSError, ValueError):
            raise claim_error(stmt, None, "%r is not an IP address (in %s)" % (text, block.words[0]))
        if prefix and (not prefix.isdigit() or int(prefix) > (128 if family == socket.AF_INET6 else 32)):
            raise claim_error(stmt, None, "%r has an invalid prefix (in %s)" % (text, block.words[0]))
        canonical, length = normalise_address(text)
        dev = None
        if "dev" in stmt.words:
            index = stmt.words.index("dev")
            dev = stmt.words[index + 1] if index + 1 < len(stmt.words) else None
        result.append(("%s/%d" % (canonical, length) if with_prefix else canonical, dev))
    return result


def parse_claims(lines: "List[Tuple[str, int, str]]") -> "List[Dict[str, Any]]":
    """Instance records (as a dump gives them, state UNKNOWN, source config) of every vrrp_instance."""
    statements = claim_statements(lines)
    default_version = DEFAULT_VRRP_VERSION
    for stmt in statements:
        if stmt.words[0] == "global_defs":
            for inner in stmt.children or []:
                if inner.words[0] == "vrrp_version":
                    default_version = _claim_number(inner, 2, 3)
    instances = []
    for stmt in statements:
        if stmt.words[0] != "vrrp_instance":
            continue
        if len(stmt.words) < 2 or stmt.children is None:
            raise claim_error(stmt, None, "vrrp_instance needs a name and a block")
        record = _claim_instance(stmt, default_version)
        if record is not None:
            instances.append(record)
    groups = _sync_groups(statements)
    for record in instances:
        record["sync_group"] = groups.get(record["instance"])
    return instances


def _sync_groups(statements: "List[ClaimStmt]") -> "Dict[str, str]":
    """Instance name -> the vrrp_sync_group whose group block names it (keepalived takes an instance in one only)."""
    groups = {}  # type: Dict[str, str]
    for stmt in statements:
        if stmt.words[0] != "vrrp_sync_group" or len(stmt.words) < 2 or stmt.children is None:
            continue
        for inner in stmt.children:
            if inner.words[0] == "group":
                for member in inner.children or []:
                    for name in member.words:
                        groups.setdefault(name, stmt.words[1])
    return groups


def _claim_instance(block: ClaimStmt, default_version: int) -> "Optional[Dict[str, Any]]":
    name = block.words[1]
    if "$" in name or "~" in name:
        return None     # a name made by a sequence or an undefined variable: not followed
    fields = {"vrid": None, "wantstate": "BACKUP", "priority": DEFAULT_VRRP_PRIORITY, "interface": None,
              "advert_int": DEFAULT_ADVERT_INT_S, "version": None, "nopreempt": False, "preempt_delay": 0,
              "auth_type": "none", "ipv6": False}  # type: Dict[str, Any]
    vips = []  # type: List[Tuple[str, Optional[str]]]
    evips = []  # type: List[Tuple[str, Optional[str]]]
    peers = []  # type: List[Tuple[str, Optional[str]]]
    scripts = []  # type: List[str]
    for stmt in block.children or []:
        keyword = stmt.words[0]
        if keyword == "state" and len(stmt.words) > 1 and stmt.words[1].upper() in CLAIM_STATES:
            fields["wantstate"] = stmt.words[1].upper()
        elif keyword == "interface" and len(stmt.words) > 1:
            fields["interface"] = stmt.words[1]
        elif keyword == "virtual_router_id":
            fields["vrid"] = _claim_number(stmt, 1, 255)
        elif keyword == "priority":
            fields["priority"] = _claim_number(stmt, 1, 255)
        elif keyword == "advert_int":
            fields["advert_int"] = _whole(_claim_number(stmt, 0.001, 255, integer=False))
        elif keyword in ("version", "vrrp_version"):
            fields["version"] = _claim_number(stmt, 2, 3)
        elif keyword == "nopreempt":
            fields["nopreempt"] = True
        elif keyword == "preempt_delay":
            fields["preempt_delay"] = _whole(_claim_number(stmt, 0, 1000, integer=False))
        elif keyword == "native_ipv6":
            fields["ipv6"] = True
        elif keyword == "authentication":
            for inner in stmt.children or []:
                if inner.words[0] == "auth_type" and len(inner.words) > 1:
                    fields["auth_type"] = {"PASS": "PASS", "AH": "AH"}.get(inner.words[1].upper(), "none")
        elif keyword == "virtual_ipaddress":
            vips.extend(_claim_addresses(stmt, True))
        elif keyword == "virtual_ipaddress_excluded":
            evips.extend(_claim_addresses(stmt, True))
        elif keyword == "unicast_peer":
            peers.extend(_claim_addresses(stmt, False))
        elif keyword == "track_script":
            scripts.extend(inner.words[0] for inner in stmt.children or [] if inner.words)
    if fields["vrid"] is None:
        return None     # keepalived refuses such an instance ("the virtual router id must be set")
    version = fields["version"]
    if version is None:
        # an IPv6 instance (first VIP, or native_ipv6) is VRRPv3 whatever the global default
        ipv6 = fields["ipv6"] or (bool(vips) and ":" in vips[0][0])
        version = 3 if ipv6 else default_version
    details = [dict(parse_vip(cidr), dev=dev) for cidr, dev in vips] + \
        [dict(parse_vip(cidr), dev=dev, excluded=True) for cidr, dev in evips]
    for vip in details:
        vip["set"] = None
    return {
        "instance": name, "vrid": fields["vrid"], "state": STATE_UNKNOWN, "wantstate": fields["wantstate"],
        "base_priority": fields["priority"], "effective_priority": fields["priority"], "master_priority": None,
        "interface": fields["interface"], "vmac_interface": None, "advert_int": fields["advert_int"],
        "version": version, "nopreempt": fields["nopreempt"], "preempt_delay": fields["preempt_delay"],
        "auth_type": "none" if version == 3 else fields["auth_type"], "last_transition": None,
        "vips_set": None, "vips": [cidr for cidr, _ in vips], "excluded_vips": [cidr for cidr, _ in evips],
        "vip_details": details, "unicast_peers": [addr for addr, _ in peers],
        "track_scripts": [], "track_interfaces": [], "stats": {}, "source": SOURCE_CONFIG,
        # the vrrp_script names it tracks, as written: not a claim's own field (no script ran), they name what a
        # JSON dump lists by command line (keepalived before 2.3)
        "configured_track_scripts": scripts,
    }
