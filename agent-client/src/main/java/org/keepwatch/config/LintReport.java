package org.keepwatch.config;

import java.util.List;

/** The findings of one lint run, in file and line order, and the verdict they add up to. */
public record LintReport(List<Diagnostic> diagnostics) {

    public enum Verdict { CLEAN, WARNINGS, ERRORS }

    public Verdict verdict() {
        return verdictOf(diagnostics);
    }

    /** The verdict counting only the findings keepalived -t reports too, to compare with its output. */
    public Verdict keepalivedVerdict() {
        return verdictOf(diagnostics.stream()
            .filter(d -> DiagnosticCode.byId(d.code()).map(DiagnosticCode::keepalivedReports).orElse(true)).toList());
    }

    private static Verdict verdictOf(List<Diagnostic> list) {
        if (list.stream().anyMatch(d -> d.severity() == Severity.ERROR)) return Verdict.ERRORS;
        return list.isEmpty() ? Verdict.CLEAN : Verdict.WARNINGS;
    }

    public long errors() {
        return diagnostics.stream().filter(d -> d.severity() == Severity.ERROR).count();
    }

    public long warnings() {
        return diagnostics.stream().filter(d -> d.severity() == Severity.WARNING).count();
    }
}
