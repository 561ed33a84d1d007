package org.keepwatch.config;

import java.util.Optional;

/**
 * Every finding the engine can report, with a stable id for scripts and CI, its severity, and whether
 * {@code keepalived -t} reports the same problem (the rest are traps keepalived stays silent about).
 */
public enum DiagnosticCode {
    // Reading the files
    FILE_MISSING("file-missing", Severity.ERROR, true, "the configuration file does not exist or cannot be read"),
    INVALID_UTF8("invalid-utf8", Severity.WARNING, false, "bytes that are not UTF-8; keepalived takes them as they are"),
    LINE_TOO_LONG("line-too-long", Severity.ERROR, true, "a line longer than keepalived reads in one piece"),
    INCLUDE_NO_MATCH("include-no-match", Severity.WARNING, false, "an include pattern that matches no file"),
    INCLUDE_LOOP("include-loop", Severity.ERROR, true, "a file that includes itself, directly or not"),
    INCLUDE_LIMIT("include-limit", Severity.ERROR, false, "more included files, bytes or nesting than the engine loads"),
    FILE_REFUSED("file-refused", Severity.ERROR, false,
        "an included file that is not read: not a regular file (a FIFO or device blocks keepalived) or too large"),
    // Structure
    UNCLOSED_BLOCK("unclosed-block", Severity.ERROR, true, "a '{' without its '}'"),
    UNEXPECTED_CLOSE("unexpected-close", Severity.ERROR, true, "a '}' that closes nothing"),
    UNEXPECTED_OPEN("unexpected-open", Severity.ERROR, true, "a '{' after a keyword that takes no block"),
    MISSING_BLOCK("missing-block", Severity.ERROR, true, "a keyword that needs a block given without one"),
    UNTERMINATED_QUOTE("unterminated-quote", Severity.ERROR, true, "a quote that is not closed on its line"),
    // Keywords and values
    UNKNOWN_KEYWORD("unknown-keyword", Severity.ERROR, true, "a keyword keepalived does not know in this block"),
    MISSING_VALUE("missing-value", Severity.ERROR, true, "a keyword without the value it needs"),
    INVALID_NUMBER("invalid-number", Severity.ERROR, true, "a value that is not a number or outside its range"),
    INVALID_VALUE("invalid-value", Severity.ERROR, true, "a value that is not one of those the keyword accepts"),
    INVALID_ADDRESS("invalid-address", Severity.ERROR, true, "an IP address or prefix that does not parse"),
    MISSING_REQUIRED("missing-required", Severity.ERROR, true, "a block without a keyword it cannot work without"),
    DUPLICATE_NAME("duplicate-name", Severity.ERROR, true, "two blocks of one kind with the same name"),
    DUPLICATE_VRID("duplicate-vrid", Severity.ERROR, true, "two instances with one VRID on one interface and family"),
    UNKNOWN_REFERENCE("unknown-reference", Severity.ERROR, true, "a name that refers to no defined script, instance or group"),
    AUTH_PASS_TOO_LONG("auth-pass-too-long", Severity.WARNING, true, "auth_pass over 8 characters; keepalived truncates it"),
    MASTER_WITH_AH("master-with-ah", Severity.WARNING, true, "state MASTER with AH authentication; keepalived starts as BACKUP"),
    SCRIPT_SECURITY("script-security", Severity.WARNING, true, "scripts configured without enable_script_security"),
    DEPRECATED("deprecated", Severity.WARNING, true, "a keyword or form keepalived accepts but has deprecated"),
    ROUTE_NOT_TRACKED("route-not-tracked", Severity.WARNING, true, "a virtual or static route without dev cannot be tracked"),
    RULE_WITHOUT_PREFERENCE("rule-without-preference", Severity.WARNING, true, "a rule without preference gets an arbitrary one"),
    IGNORED_VALUE("ignored-value", Severity.WARNING, true, "a setting keepalived ignores in this combination"),
    // What keepalived stays silent about
    DUPLICATE_KEYWORD("duplicate-keyword", Severity.WARNING, false, "a keyword given twice; keepalived silently takes the last"),
    MASTER_NOPREEMPT("master-nopreempt", Severity.WARNING, false, "state MASTER with nopreempt; nopreempt needs state BACKUP"),
    PRIORITY_OWNER("priority-owner", Severity.WARNING, false, "priority 255 on a node that does not own the virtual address"),
    EMPTY_VIRTUAL_ADDRESSES("no-virtual-address", Severity.WARNING, false, "an instance without virtual_ipaddress"),
    // Peer consistency
    PEER_VIP_DRIFT("peer-vip-drift", Severity.ERROR, false, "members of one VRRP router configure different VIPs"),
    PEER_VIP_DETAIL_DRIFT("peer-vip-detail-drift", Severity.WARNING, false, "members give one VIP a different dev, label or scope"),
    PEER_SETTING_DRIFT("peer-setting-drift", Severity.ERROR, false,
        "members disagree on advert_int, authentication, version, or the VRID serving one VIP"),
    PEER_UNICAST_NOT_MUTUAL("peer-unicast-not-mutual", Severity.ERROR, false, "a unicast peer that does not list this node back"),
    PEER_UNICAST_UNCHECKED("peer-unicast-unchecked", Severity.WARNING, false,
        "a unicast member without unicast_src_ip; whether its peers list it cannot be checked"),
    PEER_EQUAL_PRIORITY("peer-equal-priority", Severity.WARNING, false, "members with equal priority; the higher IP wins"),
    PEER_MISSING_INSTANCE("peer-missing-instance", Severity.WARNING, false, "a member without an instance of a router the others run"),
    PEER_VRID_REUSED("peer-vrid-reused", Severity.ERROR, false, "another VRRP router uses the same VRID on the same network");

    private final String id;
    private final Severity severity;
    private final boolean keepalivedReports;
    private final String description;

    DiagnosticCode(String id, Severity severity, boolean keepalivedReports, String description) {
        this.id = id;
        this.severity = severity;
        this.keepalivedReports = keepalivedReports;
        this.description = description;
    }

    public String id() {
        return id;
    }

    public Severity severity() {
        return severity;
    }

    /** Whether {@code keepalived -t} reports this too; the others are the engine's own advice. */
    public boolean keepalivedReports() {
        return keepalivedReports;
    }

    public String description() {
        return description;
    }

    public Diagnostic at(Location location, String message) {
        return new Diagnostic(location, severity, id, message, Optional.empty());
    }

    public Diagnostic at(Location location, String message, String suggestion) {
        return new Diagnostic(location, severity, id, message, Optional.ofNullable(suggestion));
    }

    public static Optional<DiagnosticCode> byId(String id) {
        for (DiagnosticCode code : values()) {
            if (code.id.equals(id)) return Optional.of(code);
        }
        return Optional.empty();
    }
}
