"""keepalived -t output, classified into errors and warnings by message (2.2.7 exits 5 for both)."""

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Set, Tuple  # noqa: F401

MAX_DIAGNOSTICS = 500

# keepalived -t output, classified by message (2.2.7 exits 5 for warnings and errors alike).
# First match wins; patterns were taken from real 2.2.7 output (see the test fixtures).
DIAG_LOCATION_RE = re.compile(r"^\((?:(?P<file>.*?): )?Line (?P<line>\d+)\)\s*(?P<msg>.*)$")
DIAG_INSTANCE_RE = re.compile(r"^\((?P<inst>[^)\s]+)\):?\s")
DIAG_RULES = (
    (re.compile(r"^NOTICE\b"), "info"),
    (re.compile(r"Config files missing"), "error"),     # exit 0, yet that part of the config is dropped
    (re.compile(r"SECURITY VIOLATION"), "warning"),     # exit 6, yet keepalived runs it: do not block edits
    (re.compile(r"^WARNING\b|\bWarning - ", re.IGNORECASE), "warning"),
    (re.compile(r"probably isn't what you want|is sensible|deprecated|does not support authentication"), "warning"),
    (re.compile(r"No config files matched"), "warning"),
    (re.compile(r"is not used$|ignoring tracked script .* due to SYNC group"), "warning"),
    (re.compile(r"Script user '.*' does not exist|Unable to set default user"), "warning"),
    (re.compile(r"Truncating auth_pass to 8 characters"), "warning"),    # every peer truncates alike
)

CHECK_PASSING_EXIT_CODES = (0, 5, 6)
# keepalived before 2.2 exits 0 from -t after configuration errors (2.1.5, Debian 11: VRID 300, an unknown keyword, a
# bad address all exit 0; 2.2.7 and 2.3.3 exit 5): there its exit code says nothing, and a message no rule calls a
# warning is an error.
EXIT_CODE_REPORTS_ERRORS_SINCE = (2, 2)


def exit_code_reports_errors(version: "Optional[str]") -> bool:
    """Whether this keepalived's -t exit code tells errors from a clean check (unknown version: it does)."""
    parts = re.match(r"(\d+)\.(\d+)", version or "")
    return parts is None or (int(parts.group(1)), int(parts.group(2))) >= EXIT_CODE_REPORTS_ERRORS_SINCE


def classify_check_output(output: str, exit_code: int, path_map: "Optional[Dict[str, str]]" = None,
                          version: "Optional[str]" = None) -> "Dict[str, Any]":
    """Turns `keepalived -t` output into diagnostics {file, line, severity, instance, message}.

    2.2.7 exits 5 for warnings and errors alike, so severity comes from the message. The
    candidate passes when no diagnostic is an error and the exit code is 0, 5 (warnings or
    errors, told apart by message) or 6 (scripts without script security: keepalived runs such a
    configuration, so it is a warning, not a reason to refuse every edit of it). `version` is the keepalived's that
    ran the check: before 2.2 an exit code of 0 proves nothing (see EXIT_CODE_REPORTS_ERRORS_SINCE).
    """
    unclassified = "error" if exit_code != 0 or not exit_code_reports_errors(version) else "warning"
    diagnostics = []  # type: List[Dict[str, Any]]
    seen = set()  # type: Set[Tuple[Any, ...]]
    for raw_line in output.splitlines():
        line = raw_line.strip()
        if not line:
            continue
        file_name = None  # type: Optional[str]
        line_no = None  # type: Optional[int]
        message = line
        m = DIAG_LOCATION_RE.match(line)
        if m:
            file_name = m.group("file")
            line_no = int(m.group("line"))
            message = m.group("msg")
        if file_name and path_map:
            file_name = path_map.get(file_name, file_name)
        instance = None
        mi = DIAG_INSTANCE_RE.match(message)
        if mi:
            instance = mi.group("inst")
        severity = unclassified
        for pattern, sev in DIAG_RULES:
            if pattern.search(message):
                severity = sev
                break
        key = (file_name, line_no, message)
        if key in seen:
            continue
        seen.add(key)
        diagnostics.append({"file": file_name, "line": line_no, "severity": severity,
                            "instance": instance, "message": message})
        if len(diagnostics) >= MAX_DIAGNOSTICS:
            break
    errors = sum(1 for d in diagnostics if d["severity"] == "error")
    warnings = sum(1 for d in diagnostics if d["severity"] == "warning")
    passed = errors == 0 and exit_code in CHECK_PASSING_EXIT_CODES
    if not passed and errors == 0:
        diagnostics.append({"file": None, "line": None, "severity": "error", "instance": None,
                            "message": "keepalived -t exited with %d" % exit_code})
        errors = 1
    return {"ok": passed, "exit_code": exit_code, "errors": errors, "warnings": warnings,
            "diagnostics": diagnostics}
