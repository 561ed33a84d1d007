package org.keepwatch.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * keepalived-grade checks of a configuration: what keepalived -t reports, and what it stays silent about.
 * Runs on the effective configuration for the options' config id; every finding points at the file and line
 * the operator wrote.
 */
public final class Linter {
    private final KeywordTable table;

    public Linter(KeywordTable table) {
        this.table = table;
    }

    public Linter() {
        this(KeywordTable.keepalived22());
    }

    public LintReport lint(ConfigDocument document, LintOptions options) {
        List<Diagnostic> found = new ArrayList<>(document.diagnostics());
        EffectiveConfig effective = document.effective(options.configId());
        found.addAll(effective.diagnostics());
        KeywordTable forNode = options.keepalived().map(table::forVersion).orElse(table);
        new KeywordChecker(forNode).check(effective.roots(), found);
        new SemanticChecker(options, found).check(ModelBuilder.build(effective), effective.roots());
        List<Diagnostic> unique = new ArrayList<>(new LinkedHashSet<>(found));
        unique.sort(Comparator.comparing((Diagnostic d) -> d.location().file())
            .thenComparingInt(d -> d.location().line())
            .thenComparingInt(d -> d.location().column()));
        return new LintReport(unique);
    }
}
