package org.keepwatch.app.editor;

import org.keepwatch.agent.CheckResult;
import org.keepwatch.config.Diagnostic;
import org.keepwatch.config.Severity;

/**
 * A row of the editor's problems list: a finding of Keepwatch's own lint as you type, or from keepalived -t on the
 * node. File and line are where it is (line 0 when keepalived names none).
 */
public record ProblemRow(Source source, boolean error, String file, int line, int column, String message) {

    public enum Source { LINT, NODE }

    public static ProblemRow of(Diagnostic d) {
        return new ProblemRow(Source.LINT, d.severity() == Severity.ERROR, d.location().file(), d.location().line(),
                d.location().column(), d.message() + d.suggestion().map(s -> " (did you mean '" + s + "'?)").orElse(""));
    }

    public static ProblemRow of(CheckResult.Message d, String defaultFile) {
        return new ProblemRow(Source.NODE, d.error(), d.file().orElse(defaultFile), d.line().orElse(0), 1,
                d.instance().filter(i -> !d.message().contains(i)).map(i -> "(" + i + ") ").orElse("") + d.message());
    }

    /** "keepalived.conf:16" or just the file name. */
    public String where() {
        String name = file.substring(file.lastIndexOf('/') + 1);
        return line > 0 ? name + ":" + line : name;
    }
}
