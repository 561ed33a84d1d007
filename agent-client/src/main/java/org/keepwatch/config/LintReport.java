package org.keepwatch.config;

import java.util.List;

/** The findings of one lint run, in file and line order, and the verdict they add up to. */
public record LintReport(List<Diagnostic> diagnostics) {

    public enum Grade { CLEAN, WARNINGS, ERRORS }

    public Grade verdict() {
        return verdictOf(diagnostics);
    }

    /** The verdict counting only the findings keepalived -t reports too, to compare with its output. */
    public Grade keepalivedVerdict() {
        return verdictOf(diagnostics.stream()
            .filter(d -> DiagnosticCode.byId(d.code()).map(DiagnosticCode::keepalivedReports).orElse(true)).toList());
    }

    private static Grade verdictOf(List<Diagnostic> list) {
        if (list.stream().anyMatch(d -> d.severity() == Severity.ERROR)) return Grade.ERRORS;
        return list.isEmpty() ? Grade.CLEAN : Grade.WARNINGS;
    }

    public long errors() {
        return diagnostics.stream().filter(d -> d.severity() == Severity.ERROR).count();
    }

    public long warnings() {
        return diagnostics.stream().filter(d -> d.severity() == Severity.WARNING).count();
    }
}
