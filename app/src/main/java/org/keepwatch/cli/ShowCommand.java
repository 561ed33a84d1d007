package org.keepwatch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import org.keepwatch.config.ConfigDocument;
import org.keepwatch.config.ConfigParser;
import org.keepwatch.config.KeepalivedConfig;
import org.keepwatch.config.LintOptions;
import org.keepwatch.config.ModelBuilder;
import org.keepwatch.config.VrrpInstance;

/** keepwatch show FILE [--json] [--config-id ID]: the effective configuration, for scripts and the app. */
final class ShowCommand implements Command {
    @Override
    public String synopsis() {
        return "[--json] [--config-id ID] FILE";
    }

    @Override
    public String summary() {
        return "print the effective configuration (instances, VIPs, scripts, virtual servers)";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        Arguments parsed = new Arguments(args, Set.of("--json"), Set.of("--config-id"));
        if (parsed.operands().size() != 1) throw new UsageException("give exactly one FILE");
        String file = parsed.operands().get(0);
        ConfigDocument doc = new ConfigParser().load(file);
        if (doc.files().isEmpty()) {
            err.println(file + ": cannot read");
            return 2;
        }
        String configId = parsed.value("--config-id").orElseGet(LintOptions::localConfigId);
        KeepalivedConfig config = ModelBuilder.build(doc.effective(configId));
        if (parsed.has("--json")) {
            out.println(new ModelJson(new ObjectMapper()).toJson(config).toPrettyString());
        } else {
            for (VrrpInstance i : config.instances()) {
                out.printf("%s: %s on %s vrid %s priority %d vips %s%n", i.name(),
                    i.state().map(Enum::name).orElse("BACKUP"), i.interfaceName().orElse("-"),
                    i.virtualRouterId().isPresent() ? String.valueOf(i.virtualRouterId().getAsInt()) : "-",
                    i.effectivePriority(), i.virtualAddresses().stream().map(VrrpInstance.VirtualAddress::cidr).toList());
            }
            config.virtualServers().forEach(v -> out.printf("virtual_server %s: %d real server(s)%n", v.name(), v.realServers().size()));
        }
        return 0;
    }
}
