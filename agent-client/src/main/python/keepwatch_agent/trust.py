"""Whose files the agent (root) believes: ownership and mode rules, and reading a file only through a trusted way
(ADR 0003, docs/security.md)."""

import errno
import os
import stat
import sys

from .commands import which
from .protocol import AgentError, E_TOO_LARGE, E_UNTRUSTED, UntrustedOwner
from .text_bytes import decode_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional, Tuple  # noqa: F401

UNTRUSTED_MODE_BITS = stat.S_IWGRP | stat.S_IWOTH
MAX_SYMLINKS_FOLLOWED = 40         # as the kernel (ELOOP)
PASSWD_FILE = "/etc/passwd"        # names a uid in a message (never through NSS)
MAX_PASSWD_BYTES = 4 * 1024 * 1024


def trusted_uid(uid: int, also: "Optional[int]" = None) -> bool:
    """Root, the agent's own user (when it does not run as root), or `also`: the one other user a root keepalived's
    configuration belongs to (config_owner), for files read as that daemon's only. Whoever can write the
    configuration of a root keepalived runs code as root through it (notify and track scripts), so reading what
    they own for that daemon gives them nothing; nothing is ever written on their say (ADR 0003)."""
    return uid in (0, os.geteuid()) or (also is not None and uid == also)


def trusted_owner(st: "os.stat_result", also: "Optional[int]" = None) -> bool:
    """Owned by root (or the agent's own user, or `also`: see trusted_uid) and not writable by group or others:
    nobody else can have put or changed it."""
    return trusted_uid(st.st_uid, also) and not st.st_mode & UNTRUSTED_MODE_BITS


def trusted_directory(st: "os.stat_result", also: "Optional[int]" = None) -> bool:
    """A directory whose entries only root (or the agent's own user, or `also`: see trusted_uid) can replace: owned
    by them and writable by no group or other, unless sticky (as /tmp: others may add names there, but not rename
    or remove root's)."""
    return trusted_uid(st.st_uid, also) and (not st.st_mode & UNTRUSTED_MODE_BITS or bool(st.st_mode & stat.S_ISVTX))


def trusted_keepalived(configured: "Optional[str]") -> "Optional[str]":
    """The keepalived binary the agent may run: the configured keepalived_bin, else the first on root's PATH,
    and only if trusted_owner says so. Never a binary found through a process (/proc/PID/exe): anyone may
    start a program called keepalived."""
    path = configured or which("keepalived")
    if not path:
        return None
    try:
        return path if trusted_owner(os.stat(path)) else None
    except OSError:
        return None


def file_key(st: os.stat_result) -> "Tuple[int, int, int, int]":
    """A file version: (dev, inode, size, mtime_ns)."""
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def file_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device")):
        if test(mode):
            return kind
    return "not a regular file"


def _trusted_owners(also: "Optional[int]") -> str:
    """Whom a file may belong to (see trusted_uid), after "owned by uid N, "."""
    if also is None:
        return "not by root"
    return "neither by root nor by uid %d, the owner of the daemon's configuration" % also


def _not_trusted_because(st: os.stat_result, also: "Optional[int]" = None) -> str:
    """Why trusted_owner or trusted_directory refused st, in words."""
    if not trusted_uid(st.st_uid, also):
        return "owned by uid %d, %s" % (st.st_uid, _trusted_owners(also))
    return "writable by group or others (mode %04o)" % (st.st_mode & 0o7777)


def _refusal(message: str, st: os.stat_result, also: "Optional[int]", path: str) -> AgentError:
    """untrusted: UntrustedOwner when st's owner is what is wrong, else by its mode."""
    if not trusted_uid(st.st_uid, also):
        return UntrustedOwner(message, st.st_uid, {"file": path})
    return AgentError(E_UNTRUSTED, message, {"file": path})


def check_trusted(path: str, st: os.stat_result, limit: int, what: str = "a file", also: "Optional[int]" = None) -> None:
    """Raises AgentError unless st (an lstat) is a regular file owned by root (or by the agent's own uid when it
    does not run as root, or by `also`: see trusted_uid), writable by no group or other, and at most limit bytes
    (what: the kind of file, for the message)."""
    if not stat.S_ISREG(st.st_mode):
        kind = file_kind(st.st_mode)
        blocks = kind not in ("a symbolic link", "a directory", "not a regular file")
        raise AgentError(E_UNTRUSTED, "%s is %s, not a regular file; it is not read%s"
                         % (path, kind, " (opening it could block for ever)" if blocks else ""), {"file": path})
    if not trusted_owner(st, also):
        raise _refusal("%s is %s" % (path, _not_trusted_because(st, also)), st, also, path)
    if st.st_size > limit:
        raise AgentError(E_TOO_LARGE, "%s is %d bytes, more than the %d bytes %s may have here; it is not read"
                         % (path, st.st_size, limit, what), {"file": path})


def check_reached(path: str, st: os.stat_result, limit: int, what: str, also: "Optional[int]",
                  theirs: "Optional[str]") -> None:
    """check_trusted, and when the way followed `theirs`, a symbolic link of the configuration owner's, the file
    must be theirs too: a link of theirs never shows a file of root's (/etc/shadow) under a name they chose. (They
    can name root's files in an include, in plain sight; keepalived reads them either way.)"""
    check_trusted(path, st, limit, what, also)
    if theirs is not None and st.st_uid != also:
        raise AgentError(E_UNTRUSTED, "%s is reached through %s, a symbolic link of uid %d, the owner of the daemon's "
                         "configuration, and is owned by uid %d: a link of theirs is followed only to a file of theirs"
                         % (path, theirs, also, st.st_uid), {"file": path})


def resolve_trusted(path: str, fs_root: str = "", also: "Optional[int]" = None) -> str:
    """path (absolute, in a filesystem view whose root is fs_root, "" for the agent's own) resolved as the kernel
    resolves it, each step checked: every directory passed owned by root (or the agent's uid, or `also`: see
    trusted_uid) and writable by no group or other unless sticky, every symbolic link followed owned by them too
    (it is resolved here, in fs_root, not by the kernel, which would resolve an absolute link in the agent's own
    root). A user who can replace anything on the way controls the file. Returns the resolved path, whose last part
    check_trusted is still to judge; AgentError (untrusted; UntrustedOwner when an owner is what is wrong) naming
    path and what on the way is not trusted; FileNotFoundError if a part is missing."""
    return _resolve_trusted(path, fs_root, also)[0]


def _resolve_trusted(path: str, fs_root: str, also: "Optional[int]") -> "Tuple[str, Optional[str]]":
    """resolve_trusted, and the first symbolic link of `also`'s followed on the way (None when none was)."""
    if not path.startswith("/"):
        raise AgentError(E_UNTRUSTED, "%s is not an absolute path" % path, {"file": path})
    root = os.lstat(fs_root + "/")
    if not trusted_directory(root, also):
        raise _refusal("%s is under /, a directory %s" % (path, _not_trusted_because(root, also)), root, also, path)
    done = []  # type: List[str]
    todo = [part for part in reversed(path.split("/")) if part]
    links = 0
    theirs = None  # type: Optional[str]
    while todo:
        part = todo.pop()
        if part == ".":
            continue
        if part == "..":
            if done:
                done.pop()
            continue
        current = "/" + "/".join(done + [part])
        st = os.lstat(fs_root + current)
        if stat.S_ISLNK(st.st_mode):
            if not trusted_uid(st.st_uid, also):
                way = "is" if current == path else "leads through %s," % current
                raise UntrustedOwner("%s %s a symbolic link owned by uid %d, %s"
                                     % (path, way, st.st_uid, _trusted_owners(also)), st.st_uid, {"file": path})
            if theirs is None and not trusted_uid(st.st_uid):
                theirs = current
            links += 1
            if links > MAX_SYMLINKS_FOLLOWED:
                raise AgentError(E_UNTRUSTED, "%s: more than %d symbolic links on the way" % (path, MAX_SYMLINKS_FOLLOWED),
                                 {"file": path})
            target = os.readlink(fs_root + current)
            if target.startswith("/"):
                done = []
            todo.extend(part for part in reversed(target.split("/")) if part)
            continue
        done.append(part)
        if todo and not stat.S_ISDIR(st.st_mode):
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), current)
        if todo and not trusted_directory(st, also):
            raise _refusal("%s is under %s, a directory %s" % (path, current, _not_trusted_because(st, also)),
                           st, also, path)
    return "/" + "/".join(done), theirs


def config_owner(main: str, fs_root: str = "") -> "Optional[int]":
    """The one user besides root (and the agent's own) whom a root keepalived's configuration belongs to: the owner
    of its main file as its command line names it, of a directory on the way or of a link followed there (Neutron's
    /var/lib/neutron/ha_confs/<router>/keepalived.conf are the neutron user's), looked at as read_trusted looks. The
    files read for that daemon may be theirs too (trusted_uid). None when root alone owns them all, or when the
    look fails for another reason (the read that follows says why). AgentError (untrusted) when two users besides
    root own parts of it: it belongs to neither."""
    also = None  # type: Optional[int]
    first = None  # type: Optional[UntrustedOwner]
    while True:
        try:
            real = resolve_trusted(main, fs_root, also)
            check_trusted(main if real == main else "%s (a link to %s)" % (main, real), os.lstat(fs_root + real),
                          sys.maxsize, also=also)
            return also
        except UntrustedOwner as exc:
            if first is not None:
                raise AgentError(E_UNTRUSTED, "%s belongs to two users besides root, and a daemon's configuration is "
                                 "read only when it belongs to one at most: %s; and %s"
                                 % (main, first.message, exc.message), {"file": main})
            first = exc
            also = exc.uid
        except (AgentError, OSError):
            return also


def user_label(uid: int, fs_root: str = "") -> str:
    """"uid 64055 (neutron)" when the passwd file of the daemon's view (else the agent's) names uid, else
    "uid 64055". Read as a file, not through NSS, which may ask a directory server."""
    for root in ([fs_root] if fs_root else []) + [""]:
        try:
            data, _ = read_trusted(PASSWD_FILE, MAX_PASSWD_BYTES, root, "a passwd file")
        except (AgentError, OSError):
            continue
        for line in decode_text(data).splitlines():
            fields = line.split(":")
            if len(fields) > 2 and fields[2] == str(uid) and fields[0]:
                return "uid %d (%s)" % (uid, fields[0])
    return "uid %d" % uid


def lstat_signature(path: str) -> "Optional[Tuple[int, ...]]":
    """What a cached read of path depends on: its file_key, plus mode and owner (a chmod or chown
    changes whether it may be read, not its mtime), and for a symbolic link the same of what it leads
    to; None when it cannot be looked at."""
    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            target = os.stat(path)
            return file_key(st) + (st.st_mode, st.st_uid) + file_key(target) + (target.st_mode, target.st_uid)
    except OSError:
        return None
    return file_key(st) + (st.st_mode, st.st_uid)


def read_trusted(path: str, limit: int, fs_root: str = "", what: str = "a file",
                 also: "Optional[int]" = None) -> "Tuple[bytes, os.stat_result]":
    """The bytes of path (in fs_root's view) when no other user controls it: resolve_trusted accepts the way to
    it and check_trusted the file, looked at before it is opened (a FIFO or device is never opened) and again
    once open, without following a final symbolic link and without blocking (a FIFO swapped in meanwhile cannot
    hang the agent). `also`: the daemon's configuration owner (config_owner) when the file is that daemon's; a
    link of theirs leads only to a file of theirs (check_reached). Messages name path, and what it leads to when
    that is another file. FileNotFoundError if missing."""
    real, theirs = _resolve_trusted(path, fs_root, also)
    shown = path if real == path else "%s (a link to %s)" % (path, real)
    full = fs_root + real
    check_reached(shown, os.lstat(full), limit, what, also, theirs)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | os.O_NOCTTY
    try:
        fd = os.open(full, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise AgentError(E_UNTRUSTED, "%s became a symbolic link while it was read" % shown, {"file": path})
        raise
    try:
        fst = os.fstat(fd)
        check_reached(shown, fst, limit, what, also, theirs)     # what was opened, not what was looked at
        chunks = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise AgentError(E_TOO_LARGE, "%s is more than the %d bytes %s may have here; it is not read" % (shown, limit, what),
                         {"file": path})
    return data, fst
