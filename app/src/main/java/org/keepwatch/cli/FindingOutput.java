package org.keepwatch.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.keepwatch.config.Diagnostic;
import org.keepwatch.config.LintReport;

/** How commands that check configurations report: one exit status per verdict, one JSON shape per finding. */
final class FindingOutput {
    private FindingOutput() {
    }

    /** 0 clean, 1 warnings only, 2 errors. */
    static int exitStatus(LintReport.Grade verdict) {
        return switch (verdict) {
            case CLEAN -> 0;
            case WARNINGS -> 1;
            case ERRORS -> 2;
        };
    }

    /** Fills {@code item} with file, line, column, severity, code, message and any suggestion. */
    static ObjectNode put(ObjectNode item, Diagnostic d) {
        item.put("file", d.location().file()).put("line", d.location().line()).put("column", d.location().column())
            .put("severity", d.severity().name().toLowerCase()).put("code", d.code()).put("message", d.message());
        d.suggestion().ifPresent(s -> item.put("suggestion", s));
        return item;
    }
}
