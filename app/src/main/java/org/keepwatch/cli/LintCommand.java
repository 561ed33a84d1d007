package org.keepwatch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.keepwatch.config.ConfigParser;
import org.keepwatch.config.Diagnostic;
import org.keepwatch.config.KeepalivedVersion;
import org.keepwatch.config.LintOptions;
import org.keepwatch.config.LintReport;
import org.keepwatch.config.Linter;

/** keepwatch lint FILE...: exit 0 clean, 1 warnings only, 2 errors. */
final class LintCommand implements Command {
    @Override
    public String synopsis() {
        return "[--json] [--config-id ID] [--keepalived VERSION] FILE...";
    }

    @Override
    public String summary() {
        return "check configurations like keepalived -t and more; exit 0 clean, 1 warnings, 2 errors";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        Arguments parsed = new Arguments(args, Set.of("--json"), Set.of("--config-id", "--keepalived"));
        if (parsed.operands().isEmpty()) throw new UsageException("no FILE given");
        String configId = parsed.value("--config-id").orElseGet(LintOptions::localConfigId);
        Optional<String> keepalived = parsed.value("--keepalived");
        if (keepalived.isPresent() && KeepalivedVersion.parse(keepalived.get()).isEmpty()) {
            throw new UsageException("--keepalived takes a version such as 2.2.7, not '" + keepalived.get() + "'");
        }
        LintOptions options = LintOptions.forConfigId(configId).withKeepalived(keepalived);
        Linter linter = new Linter();
        ObjectMapper json = new ObjectMapper();
        ArrayNode files = json.createArrayNode();
        int worst = 0;
        for (String file : parsed.operands()) {
            LintReport report = linter.lint(new ConfigParser().load(file), options);
            worst = Math.max(worst, FindingOutput.exitStatus(report.verdict()));
            if (parsed.has("--json")) {
                files.add(toJson(json, file, report));
            } else {
                report.diagnostics().forEach(d -> out.println(d));
                out.println(file + ": " + report.errors() + " error(s), " + report.warnings() + " warning(s)");
            }
        }
        if (parsed.has("--json")) {
            ObjectNode root = json.createObjectNode().put("configId", configId)
                .put("keepalived", options.target().toString());
            root.set("files", files);
            out.println(root.toPrettyString());
        }
        return worst;
    }

    static ObjectNode toJson(ObjectMapper json, String file, LintReport report) {
        ObjectNode node = json.createObjectNode().put("file", file).put("verdict", report.verdict().name().toLowerCase());
        ArrayNode list = node.putArray("diagnostics");
        for (Diagnostic d : report.diagnostics()) FindingOutput.put(list.addObject(), d);
        return node;
    }
}
