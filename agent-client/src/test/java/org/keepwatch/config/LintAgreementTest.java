package org.keepwatch.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Lint against {@code keepalived -t} of each keepalived release on the corpus of real-world configurations
 * (corpus/corpus.tsv says where each file came from; corpus/verdicts.tsv holds what each release said, recorded by
 * src/test/python/record_keepalived_verdicts.py). Per release: no lint error on a file that release accepts (or
 * faults only for the machine: a script, user or interface the check's root lacks), and no file that release
 * faults for the text passes lint without a finding. The disagreements
 * left are listed below, each with its reason; a fixed one must leave the list.
 *
 * <p>Only files whose licence lets them be copied here are kept in the repository; a file whose licence is unknown is
 * listed (where it is, at which commit, what each release said of it) but not copied. Fetched from its repository at
 * that commit into a directory named by {@code -Dkeepwatch.lint.corpus.extra=DIR} (with the placeholders corpus.tsv
 * names filled in), it is linted as well.
 */
class LintAgreementTest {
    private static final String CORPUS = "corpus/";

    /** file@release -> why lint and keepalived -t still disagree there. */
    private static final Map<String, String> KNOWN = Map.ofEntries(
    );

    record Verdict(String file, String release, String verdict, String messages) {
    }

    static List<Verdict> verdicts() throws IOException {
        List<Verdict> out = new ArrayList<>();
        for (String line : resource(CORPUS + "verdicts.tsv").split("\n")) {
            if (line.startsWith("#") || line.isBlank()) continue;
            String[] f = line.split("\t", -1);
            out.add(new Verdict(f[0], f[1], f[3], f.length > 5 ? f[5] : ""));
        }
        return out;
    }

    private static final String UNKNOWN_LICENCE = "unknown";

    /** A corpus file: kept in the repository, or fetched into the extra directory; empty when neither. */
    static java.util.Optional<String> corpusFile(String file) throws IOException {
        try (InputStream in = LintAgreementTest.class.getResourceAsStream(CORPUS + file)) {
            if (in != null) {
                return java.util.Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        String extra = System.getProperty("keepwatch.lint.corpus.extra");
        if (extra != null && Files.isRegularFile(Path.of(extra, file))) {
            return java.util.Optional.of(Files.readString(Path.of(extra, file)));
        }
        return java.util.Optional.empty();
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = LintAgreementTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static LintReport lint(String file, String text, String release) {
        ConfigDocument document = new ConfigParser().parse("/etc/keepalived/" + file, text);
        return new Linter().lint(document, LintOptions.forConfigId("corpus-node").withKeepalived(java.util.Optional.of(release)));
    }

    @Test
    void everyCorpusFileHasItsOriginAndAVerdictPerRelease() throws IOException {
        Map<String, String> origin = new TreeMap<>();
        for (String line : resource(CORPUS + "corpus.tsv").split("\n")) {
            if (line.startsWith("#") || line.isBlank()) continue;
            String[] f = line.split("\t", -1);
            assertThat(f[1]).as("repository of " + f[0]).contains("/");
            assertThat(f[3]).as("commit of " + f[0]).matches("[0-9a-f]{40}");
            boolean kept = LintAgreementTest.class.getResource(CORPUS + f[0]) != null;
            assertThat(kept).as(f[0] + " (licence " + f[4] + ") is kept in the repository exactly when its licence is known")
                .isEqualTo(!f[4].equals(UNKNOWN_LICENCE));
            origin.put(f[0], f[1]);
        }
        Map<String, List<String>> releases = verdicts().stream()
            .collect(Collectors.groupingBy(Verdict::file, TreeMap::new, Collectors.mapping(Verdict::release, Collectors.toList())));
        assertThat(releases.keySet()).isEqualTo(origin.keySet());
        assertThat(releases.values()).allSatisfy(r -> assertThat(r).containsExactlyInAnyOrder("2.1.5", "2.2.7", "2.3.3"));
    }

    @Test
    void lintAgreesWithEachReleaseOnTheCorpus() throws IOException {
        Map<String, String> found = new TreeMap<>();
        Map<String, int[]> figures = new LinkedHashMap<>();
        java.util.Set<String> lineMisses = new java.util.TreeSet<>();
        int kept = 0;
        for (Verdict v : verdicts()) {
            java.util.Optional<String> text = corpusFile(v.file());
            if (text.isEmpty()) {
                continue;       // listed, not copied here (its licence is unknown), and not fetched
            }
            kept++;
            int[] f = figures.computeIfAbsent(v.release(), r -> new int[7]);
            f[0]++;
            LintReport report = lint(v.file(), text.get(), v.release());
            String key = v.file() + "@" + v.release();
            boolean errors = report.errors() > 0;
            // line by line: each line keepalived names for a fault of the text, and whether lint names it too
            java.util.Set<Integer> linted = report.diagnostics().stream().map(d -> d.location().line()).collect(Collectors.toSet());
            for (String m : v.messages().split(" \\| ")) {
                String[] parts = m.split(":", 3);
                if (parts.length < 3 || !parts[1].equals("config") || parts[0].equals("0")) continue;
                f[5]++;
                if (linted.contains(Integer.parseInt(parts[0]))) {
                    f[6]++;
                } else {
                    lineMisses.add(v.release() + "\t" + v.file() + ":" + parts[0] + "\t" + parts[2]);
                }
            }
            // "machine": keepalived found nothing wrong with the text, only with this machine (a script, user or
            // interface it lacks), so the text counts as accepted, and is counted apart as well
            if (v.verdict().equals("machine")) f[4]++;
            if (!v.verdict().equals("config")) {
                if (errors) {
                    f[2]++;
                    found.put(key, "lint-only error: " + report.diagnostics().stream()
                        .filter(d -> d.severity() == Severity.ERROR).map(Object::toString).collect(Collectors.joining("; ")));
                } else {
                    f[1]++;
                }
            } else if (report.diagnostics().isEmpty()) {
                f[3]++;
                found.put(key, "keepalived-only: " + v.messages());
            } else {
                f[1]++;
            }
        }
        StringBuilder summary = new StringBuilder("release\tfiles\tagree\tlint-only errors\tkeepalived-only\tof the files, machine-dependent only"
            + "\tlines keepalived faults\tof them named by lint too\n");
        figures.forEach((release, f) -> summary.append(release).append('\t').append(f[0]).append('\t').append(f[1])
            .append('\t').append(f[2]).append('\t').append(f[3]).append('\t').append(f[4]).append('\t').append(f[5])
            .append('\t').append(f[6]).append('\n'));
        found.forEach((k, why) -> summary.append(k).append('\t').append(why).append('\n'));
        summary.append("# lines keepalived names that lint does not (not asserted: lint may name the fault on another line)\n");
        lineMisses.forEach(m -> summary.append(m).append('\n'));
        Path target = Path.of("target", "lint-agreement.tsv");
        Files.createDirectories(target.getParent());
        Files.writeString(target, summary.toString());
        Map<String, String> unexplained = new TreeMap<>(found);
        unexplained.keySet().removeAll(KNOWN.keySet());
        Map<String, String> stale = new TreeMap<>(KNOWN);
        stale.keySet().removeAll(found.keySet());
        assertThat(kept).as("the files kept in the repository, under each release").isGreaterThanOrEqualTo(19 * 3);
        assertThat(unexplained).as("disagreements with keepalived -t that are not explained (figures in " + target + ")").isEmpty();
        assertThat(stale).as("explained disagreements that no longer happen: remove them from KNOWN").isEmpty();
    }
}
