package org.keepwatch.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * For each shipped sample, the lint verdict (counting what keepalived reports too) equals keepalived -t's,
 * run as root in a namespace kwt-lint-N that has every interface the sample names.
 */
@Tag("lab")
class KeepalivedAgreementLabTest {
    /** keepalived -t messages about something it still runs, only differently; everything else is an error. */
    private static final List<String> WARNING_MARKERS = List.of("warning", "deprecated", "please use", "probably not what you want",
        "will be ignored", "truncating", "incompatible with ah", "security violation", "cannot track route");

    private static int namespaceCounter;

    @ParameterizedTest
    @FieldSource("org.keepwatch.config.TestConfigs#SAMPLES")
    void lintVerdictAgreesWithKeepalived(String name) throws Exception {
        Path file = Files.createTempDirectory("kwt-lint").resolve(name);
        Files.write(file, TestConfigs.sample(name));
        String configId = LintOptions.localConfigId();
        ConfigDocument doc = new ConfigParser().load(file.toString());
        LintReport report = new Linter().lint(doc, new LintOptions(configId, Optional.of(KeepalivedAgreementLabTest::executable), Optional.empty()));
        String namespace = "kwt-lint-" + ProcessHandle.current().pid() % 1000 + "-" + (++namespaceCounter);
        String output;
        int status;
        try {
            run("ip", "netns", "add", namespace);
            int peer = 0;
            for (String ifname : interfaces(ModelBuilder.build(doc.effective(configId)), doc)) {
                run("ip", "-n", namespace, "link", "add", ifname, "type", "veth", "peer", "name", "kwtp" + peer++);
            }
            Process check = new ProcessBuilder("ip", "netns", "exec", namespace, "keepalived", "-t", "-f", file.toString())
                .redirectErrorStream(true).start();
            output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
            status = check.exitValue();
        } finally {
            run("ip", "netns", "delete", namespace);
        }
        LintReport.Grade keepalived = classify(status, output);
        System.out.printf("%-40s keepalived %-8s lint %-8s%n", name, keepalived, report.keepalivedVerdict());
        assertThat(report.keepalivedVerdict()).as("%s\nkeepalived said:\n%s\nlint said:\n%s", name, output, report.diagnostics())
            .isEqualTo(keepalived);
    }

    static LintReport.Grade classify(int status, String output) {
        if (status == 0) return LintReport.Grade.CLEAN;
        boolean error = false;
        for (String line : output.split("\n")) {
            if (line.isBlank()) continue;
            String lower = line.toLowerCase();
            if (WARNING_MARKERS.stream().noneMatch(lower::contains)) error = true;
        }
        return error ? LintReport.Grade.ERRORS : LintReport.Grade.WARNINGS;
    }

    /** Interface names the configuration uses: instance interfaces, tracked interfaces, dev of addresses and routes. */
    private static Set<String> interfaces(KeepalivedConfig config, ConfigDocument doc) {
        Set<String> names = new TreeSet<>();
        for (VrrpInstance i : config.instances()) {
            i.interfaceName().ifPresent(names::add);
            i.trackInterfaces().forEach(t -> names.add(t.name()));
            i.virtualAddresses().forEach(a -> a.dev().ifPresent(names::add));
            i.excludedAddresses().forEach(a -> a.dev().ifPresent(names::add));
            i.virtualRoutes().forEach(r -> r.dev().ifPresent(names::add));
        }
        collectDevs(doc.roots(), names);
        names.removeIf(n -> n.length() > 15 || n.contains(":") || n.isEmpty());
        return names;
    }

    private static void collectDevs(List<Statement> nodes, Set<String> names) {
        for (Statement node : nodes) {
            List<String> words = node.words();
            for (int i = 0; i + 1 < words.size(); i++) {
                if (words.get(i).equals("dev") || words.get(i).equals("lvs_sync_daemon_interface")) names.add(words.get(i + 1));
            }
            collectDevs(node.children(), names);
        }
    }

    private static boolean executable(String command) {
        if (command.startsWith("/")) return new File(command).canExecute();
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (new File(dir, command).canExecute()) return true;
        }
        return false;
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
    }
}
