"""How the agent starts: BOOTSTRAP, the program the client runs on the node, and the agent starting itself again."""

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional  # noqa: F401

# How the agent starts. BOOTSTRAP is the program the client runs on the node, in one process:
#
#     [sudo -n] python3 -I -S -c BOOTSTRAP .cache/keepwatch/agent-<hash>.py --sha256=<full hash> serve
#
# in the login user's home. It reads the file once (a regular file, not through a final symbolic link, at most
# BOOTSTRAP_MAX_SOURCE_BYTES), checks its SHA-256 against the one the client ships (a missing or different file
# exits with BOOTSTRAP_DEPLOY_EXIT and a line with BOOTSTRAP_DEPLOY_MARK on stderr, and the client deploys over
# SFTP and starts it again), and runs it as the module keepwatch_agent. Entering through exec() of a code object,
# not as a script, matters for memory: run as a script, CPython keeps the whole file's syntax tree (~6 MB) alive
# until the script's top level returns, which for a server is never. `python3 FILE serve` by hand re-executes
# itself into BOOTSTRAP.
#
# Isolated (-I, BOOTSTRAP_PYTHON_FLAGS): with -c Python puts the working directory, the login user's home, first
# on the import path (and a script's own directory for a script), so a _sha256.py or json.py the login user left
# there was imported as root under sudo. -I leaves both out and ignores the PYTHON* variables; -S skips site (a
# third of a bare start; the agent needs only the standard library). The agent starts itself again the same way
# (agent_command), through BOOTSTRAP and with the hash of the code it runs.
#
# The compiled code of a deployed agent (started with --sha256) is cached, because compiling this file is most
# of an agent's start (~30 ms of CPU; the lab starts 100 agents at once on two cores). A copy run by hand caches
# nothing. Not root: beside the file (agent-<hash>.<cache tag>.kwc), in the login user's own directory (they
# attack only themselves). Root: in BOOTSTRAP_ROOT_CACHE_DIR, made 0700 if missing and used only if root owns it
# and no group or other may write it, each file in it opened without following a symbolic link and used only if
# it is a regular file root owns. Never beside the file as root: the login user owns that directory and could put
# there a cache whose checksum is right and whose code is theirs. Root sessions are the usual ones, so root keeps
# a cache rather than compiling at every start. Versions of it not written for BOOTSTRAP_STALE_CACHE_S go when a
# new one is written (nothing else tidies that directory).
# The cache is used only if its header holds this Python's bytecode magic number and version and
# the SHA-256 of the exact source bytes just read and verified, and the SHA-256 of the marshalled
# code after it matches: a stale or corrupt cache is ignored and rewritten. It is written to a
# temporary file and renamed over, so a reader never sees half of one. It is not a .pyc: the
# import system never picks it up, and nothing else on the node reads it. Any failure to read or
# write it only means compiling, as before.
#
# When the agent's main returns, the bootstrap flushes stdout and stderr and leaves with os._exit():
# tearing the interpreter down (freeing every object one by one) was ~4 ms of a ~30 ms session, and
# there is nothing left to do by then: every response went out, config workers are daemon threads
# that have finished, and files are closed where they are written. An exception still exits normally.
#
# Kept free of single quotes: the client passes it to the login shell in single quotes
# (AgentScript extracts the text between the two marker lines below). The numbers and strings it
# repeats are the constants BOOTSTRAP_* (a test checks that they agree).
BOOTSTRAP_DEPLOY_EXIT = 87
BOOTSTRAP_DEPLOY_MARK = "keepwatch-agent: not deployed:"
BOOTSTRAP_CACHE_MAGIC = b"KWC1"
BOOTSTRAP_PYTHON_FLAGS = ["-I", "-S"]              # AgentScript.PYTHON_FLAGS says the same
BOOTSTRAP_ROOT_CACHE_DIR = "/var/cache/keepwatch"
BOOTSTRAP_MAX_SOURCE_BYTES = 16 * 1024 * 1024
BOOTSTRAP_STALE_CACHE_S = 30 * 24 * 3600
# --- bootstrap start ---
BOOTSTRAP = r"""
import sys, os, marshal
def kw_sha256() -> "Any":
    try:
        from _sha256 import sha256
    except ImportError:
        from hashlib import sha256
    return sha256
def kw_read(path: str) -> "Tuple[Optional[bytes], Optional[str]]":
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        return None, "cannot read %s: %s" % (path, "a symbolic link" if os.path.islink(path) else exc.strerror)
    with os.fdopen(fd, "rb") as f:
        if os.fstat(fd).st_mode & 0o170000 != 0o100000:
            return None, "cannot read %s: not a regular file" % path
        source = f.read(16777216 + 1)
    if len(source) > 16777216:
        return None, "cannot read %s: more than 16777216 bytes" % path
    return source, None
def kw_place(path: str, want: str, tag: str) -> "Optional[Tuple[int, str]]":
    root = os.geteuid() == 0
    if root:
        directory, name = "/var/cache/keepwatch", "agent-%s.%s.kwc" % (want[:16], tag)
        try:
            os.mkdir(directory, 0o700)
        except OSError:
            pass
    elif path.endswith(".py"):
        directory, name = os.path.dirname(path), os.path.basename(path)[:-3] + "." + tag + ".kwc"
    else:
        return None
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | (os.O_NOFOLLOW if root else 0))
    except OSError:
        return None
    st = os.fstat(fd)
    if root and (st.st_uid != 0 or st.st_mode & 0o022):
        os.close(fd)
        return None
    return fd, name
def kw_cached(place: "Tuple[int, str]", key: bytes, sha256: "Any") -> "Any":
    try:
        fd = os.open(place[1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=place[0])
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(fd)
            if st.st_mode & 0o170000 != 0o100000 or st.st_uid != os.geteuid() or st.st_mode & 0o022:
                return None
            data = f.read()
    except OSError:
        return None
    n = len(key)
    if data[:n] != key or sha256(data[n + 32:]).digest() != data[n:n + 32]:
        return None
    try:
        code = marshal.loads(data[n + 32:])
    except (ValueError, EOFError, TypeError):
        return None
    return code if type(code) is type(kw_cached.__code__) else None
def kw_store(place: "Tuple[int, str]", key: bytes, code: "Any", sha256: "Any") -> None:
    directory, name = place
    tmp = "%s.%d.tmp" % (name, os.getpid())
    try:
        payload = marshal.dumps(code)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=directory)
        with os.fdopen(fd, "wb") as f:
            f.write(key + sha256(payload).digest() + payload)
        os.replace(tmp, name, src_dir_fd=directory, dst_dir_fd=directory)
    except (OSError, ValueError):
        try:
            os.unlink(tmp, dir_fd=directory)
        except OSError:
            pass
        return
    if os.geteuid() == 0:
        kw_prune(directory, name)
def kw_prune(directory: int, keep: str) -> None:
    import time
    for name in os.listdir(directory):
        try:
            st = os.stat(name, dir_fd=directory, follow_symlinks=False)
            if name.startswith("agent-") and name != keep and st.st_mtime < time.time() - 2592000:
                os.unlink(name, dir_fd=directory)
        except OSError:
            pass
def kw_load(path: str, want: "Optional[str]") -> "Tuple[Any, str]":
    sha256 = kw_sha256()
    source, why = kw_read(path)
    digest = sha256(source).digest() if source is not None else b""
    if source is not None and want is not None and digest.hex() != want:
        why = "%s has SHA-256 %s, not %s" % (path, digest.hex(), want)
    if why is not None:
        sys.stderr.write("keepwatch-agent: not deployed: %s\n" % why)
        sys.exit(87)
    import _frozen_importlib_external as ext
    tag = sys.implementation.cache_tag
    place = kw_place(path, want, tag) if tag and want else None
    key = b"KWC1" + ext.MAGIC_NUMBER + sys.hexversion.to_bytes(4, "big") + digest
    code = kw_cached(place, key, sha256) if place else None
    if code is None:
        code = compile(source, path, "exec", dont_inherit=True)
        if place:
            kw_store(place, key, code, sha256)
    if place:
        os.close(place[0])
    return code, digest.hex()
def kw_main() -> "Callable[[], int]":
    sys.dont_write_bytecode = True
    path = os.path.abspath(sys.argv.pop(1))
    want = sys.argv.pop(1)[9:] if len(sys.argv) > 1 and sys.argv[1].startswith("--sha256=") else None
    code, digest = kw_load(path, want)
    module = type(sys)("keepwatch_agent")
    module.__file__ = path
    sys.modules["keepwatch_agent"] = module
    exec(code, module.__dict__)
    del code
    module.STARTED_SHA256 = digest
    return module.main
rc = kw_main()()
try:
    sys.stdout.flush()
    sys.stderr.flush()
finally:
    os._exit(rc if type(rc) is int else 1)
"""
# --- bootstrap end ---

# The SHA-256 of the source this process runs, set by BOOTSTRAP once the module's code has run (None when the
# file was imported some other way, as the tests do).
STARTED_SHA256 = None  # type: Optional[str]


def agent_command(args: "List[str]") -> "List[str]":
    """The command that runs this agent again with args (e.g. _check-exec as root): isolated and through BOOTSTRAP,
    which runs the file only if it still has the SHA-256 of the code this process runs. Never `python3 FILE`: the
    login user owns the file's directory, could swap the file since, and a module beside a script is imported."""
    command = [sys.executable] + BOOTSTRAP_PYTHON_FLAGS + ["-c", BOOTSTRAP, os.path.abspath(__file__)]
    return command + (["--sha256=" + STARTED_SHA256] if STARTED_SHA256 else []) + args


def reexec_through_import() -> None:
    """`python3 FILE serve` by hand: start again through BOOTSTRAP (one file, isolated)."""
    if not sys.executable:
        return
    try:
        os.execv(sys.executable, [sys.executable] + BOOTSTRAP_PYTHON_FLAGS + ["-c", BOOTSTRAP, os.path.abspath(__file__)]
                 + sys.argv[1:])
    except OSError:
        pass    # serve from here: correct, only ~6 MB heavier
