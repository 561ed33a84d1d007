package org.keepwatch.config;

import java.util.List;

/** The routers recognised across the members and what is inconsistent about them, in member and line order. */
public record PeerReport(List<PeerRouter> routers, List<PeerFinding> findings) {

    public PeerReport {
        routers = List.copyOf(routers);
        findings = List.copyOf(findings);
    }

    public List<Diagnostic> diagnostics() {
        return findings.stream().map(PeerFinding::diagnostic).toList();
    }

    /** Clean, warnings only, or errors: the same scale as a lint of one file. */
    public LintReport.Grade verdict() {
        return new LintReport(diagnostics()).verdict();
    }

    public List<PeerFinding> findingsFor(String member) {
        return findings.stream().filter(f -> f.member().equals(member)).toList();
    }

    public long errors() {
        return new LintReport(diagnostics()).errors();
    }

    public long warnings() {
        return new LintReport(diagnostics()).warnings();
    }
}
