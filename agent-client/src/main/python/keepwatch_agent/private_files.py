"""The agent's own directories, and the files it writes: 0600 from their creation, never through a link.

Candidates for keepalived -t, temporaries renamed over a configuration, backups, locks and apply records are
created with O_EXCL|O_NOFOLLOW under names with a random part, in directories only root can write: a configuration
holds auth_pass, and a file or link someone planted at a name is never opened."""

import errno
import os
import re
import signal
import stat
from pathlib import Path

from .log import LOG
from .proc import is_alive
from .protocol import AgentError, E_IO, E_UNTRUSTED
from .trust import file_kind, trusted_owner, UNTRUSTED_MODE_BITS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, List, Optional, Tuple  # noqa: F401

FAULT_ENV = "KEEPWATCH_AGENT_TEST_FAULT"   # read only by tests: kill the agent at an apply step
FAULT_POINTS = ("after_backup", "before_rename", "after_rename", "before_reload")

PRIVATE_NAME_TRIES = 16            # names tried for a new private file before giving up
PRIVATE_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def fsync_dir(directory: Path) -> None:
    fd = os.open(str(directory), os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def random_token() -> str:
    """A name part nobody can guess in advance."""
    return os.urandom(6).hex()


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def create_private(directory: Path, name: "Callable[[str], str]") -> "Tuple[int, Path]":
    """A new file of mode 0600 (given at creation) in directory, named name(random token), opened for writing
    with O_EXCL|O_NOFOLLOW: a file or link someone planted at that name is never opened, another name is tried."""
    for _ in range(PRIVATE_NAME_TRIES):
        path = directory / name(random_token())
        try:
            return os.open(str(path), PRIVATE_CREATE_FLAGS, 0o600), path
        except FileExistsError:
            LOG.warning("%s exists and is not the agent's; trying another name", path)
    raise AgentError(E_IO, "cannot create a file in %s: %d names in a row were taken" % (directory, PRIVATE_NAME_TRIES))


def write_private(directory: Path, name: "Callable[[str], str]", data: bytes) -> Path:
    """data in a new file that only its owner can read (see create_private)."""
    fd, path = create_private(directory, name)
    try:
        write_all(fd, data)
    except BaseException:
        os.close(fd)
        unlink_quietly(path)
        raise
    os.close(fd)
    return path


def atomic_write(target: Path, data: bytes, like: "Optional[os.stat_result]" = None,
                 fault: "Optional[str]" = None) -> None:
    """Writes a temporary file in the target's directory (created 0600, see create_private; given the owner and
    mode of `like`, the file it replaces, once written), fsyncs, renames over, fsyncs the directory."""
    directory = target.parent
    fd, tmp = create_private(directory, lambda token: ".%s.keepwatch-%d-%s.tmp" % (target.name, os.getpid(), token))
    try:
        write_all(fd, data)
        if like is not None:
            try:
                os.fchown(fd, like.st_uid, like.st_gid)
            except OSError:
                pass
            os.fchmod(fd, like.st_mode & 0o7777)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        unlink_quietly(tmp)
        raise
    os.close(fd)
    inject_fault(fault, "before_rename")
    try:
        os.replace(str(tmp), str(target))
    except BaseException:
        unlink_quietly(tmp)
        raise
    inject_fault(fault, "after_rename")
    fsync_dir(directory)


def remove_stale_temps(target: Path) -> "List[str]":
    """Temporary files of an agent killed between write and rename (their pid no longer runs)."""
    import glob
    removed = []
    for tmp in target.parent.glob(".%s.keepwatch-*.tmp" % glob.escape(target.name)):
        m = re.search(r"\.keepwatch-(\d+)(?:-[0-9a-f]+)?\.tmp$", tmp.name)
        if m and int(m.group(1)) != os.getpid() and not is_alive("/proc", int(m.group(1))):
            unlink_quietly(tmp)
            removed.append(tmp.name)
    return removed


def unlink_quietly(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def inject_fault(fault: "Optional[str]", point: str) -> None:
    """Test hook: KEEPWATCH_AGENT_TEST_FAULT=kill:<point> SIGKILLs the agent at that step."""
    if fault and fault == "kill:" + point:
        LOG.warning("test fault injection: killing the agent at %s", point)
        os.kill(os.getpid(), signal.SIGKILL)


def private_dir(path: Path, create: bool = True) -> "Optional[Path]":
    """A directory of the agent's own: a real directory (not a link), owned by root (or the agent's user) and
    writable by nobody else; made 0700 when missing (or None when missing and not to be made). Candidates,
    backups, locks and apply records live only in such directories."""
    if create:
        try:
            path.mkdir(mode=0o700, parents=True)
        except FileExistsError:
            pass
    try:
        st = os.lstat(str(path))
    except FileNotFoundError:
        if create:
            raise
        return None
    if not stat.S_ISDIR(st.st_mode):
        raise AgentError(E_UNTRUSTED, "%s is %s, not a directory of the agent's" % (path, file_kind(st.st_mode)),
                         {"file": str(path)})
    if not trusted_owner(st):
        raise AgentError(E_UNTRUSTED, "%s (uid %d, mode %04o) may be written by others; the agent keeps candidates, "
                         "backups, locks and apply records only in a directory root owns and nobody else can write"
                         % (path, st.st_uid, st.st_mode & 0o7777), {"file": str(path)})
    return path


def check_write_directory(fs_root: str, directory: str) -> None:
    """Raises AgentError unless `directory` (inside fs_root, reached through resolve_trusted, which judged the way
    to it) is a directory no group or other may write, not even a sticky one: the agent renames its temporary file
    over a configuration there, and nobody else may add names beside it."""
    st = os.lstat(fs_root + directory)
    if st.st_mode & UNTRUSTED_MODE_BITS:
        raise AgentError(E_UNTRUSTED, "%s may be written by others (mode %04o); the agent writes no configuration "
                         "there" % (directory, st.st_mode & 0o7777), {"file": directory})


def open_lock_file(path: Path) -> int:
    """An apply lock file, open for flock: created 0600, never through a link, a regular file of the agent's user."""
    try:
        fd = os.open(str(path), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise AgentError(E_UNTRUSTED, "the lock file %s is a symbolic link" % path, {"file": str(path)})
        raise
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or not trusted_owner(st):
        os.close(fd)
        raise AgentError(E_UNTRUSTED, "the lock file %s is not a regular file only root can write" % path,
                         {"file": str(path)})
    return fd
