package org.keepwatch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.testing.RequiredCommands;

/** Any bytes give diagnostics, never an exception or a hang, and still round-trip; the peer check copes too. */
class HostileInputTest {
    private final Linter linter = new Linter();

    private LintReport lintBytes(byte[] bytes) {
        ConfigDocument doc = new ConfigParser().parse("/fuzz/keepalived.conf", bytes);
        assertThat(doc.render().get("/fuzz/keepalived.conf")).isEqualTo(bytes);
        LintReport report = linter.lint(doc, LintOptions.forConfigId("fuzz"));
        ModelBuilder.build(doc.effective("fuzz"));
        report.diagnostics().forEach(d -> {
            assertThat(d.location().file()).isNotEmpty();
            assertThat(d.location().line()).isPositive();
            assertThat(d.location().column()).isPositive();
        });
        return report;
    }

    /** The mutated configuration as a peer of the sample it came from: findings, never an exception. */
    private static void peerCheck(byte[] mutated, ConfigDocument original) {
        ConfigDocument doc = new ConfigParser().parse("/fuzz/keepalived.conf", mutated);
        PeerReport report = new PeerChecker().check(List.of(PeerMember.of("fuzz", doc, "fuzz"), PeerMember.of("sample", original, "fuzz")));
        report.findings().forEach(f -> {
            assertThat(f.diagnostic().location().file()).isEqualTo(f.member().equals("fuzz") ? "/fuzz/keepalived.conf" : "/sample.conf");
            assertThat(f.diagnostic().location().line()).isPositive();
        });
    }

    @Test
    @Timeout(120)
    void mutatedSamplesNeverThrowAndAlwaysRoundTrip() {
        Random random = new Random(20240601);
        byte[] alphabet = "{}\"'#!@^$~\\\n\r\t =/.:0123456789abcSEQLST()_,".getBytes(StandardCharsets.US_ASCII);
        for (String name : TestConfigs.SAMPLES) {
            byte[] sample = TestConfigs.sample(name);
            ConfigDocument original = new ConfigParser().parse("/sample.conf", sample);
            for (int round = 0; round < 60; round++) {
                byte[] mutated = Arrays.copyOf(sample, sample.length);
                int edits = 1 + random.nextInt(8);
                for (int e = 0; e < edits; e++) {
                    int at = random.nextInt(mutated.length);
                    switch (random.nextInt(4)) {
                        case 0 -> mutated[at] = alphabet[random.nextInt(alphabet.length)];
                        case 1 -> mutated[at] = (byte) random.nextInt(256);
                        case 2 -> mutated = splice(mutated, at, Arrays.copyOfRange(sample, random.nextInt(sample.length / 2), sample.length / 2 + random.nextInt(sample.length / 2)));
                        default -> mutated = Arrays.copyOf(mutated, at); // truncation
                    }
                    if (mutated.length == 0) mutated = new byte[] {'{'};
                }
                lintBytes(mutated);
                peerCheck(mutated, original);
            }
        }
    }

    private static byte[] splice(byte[] into, int at, byte[] piece) {
        byte[] out = new byte[into.length + piece.length];
        System.arraycopy(into, 0, out, 0, at);
        System.arraycopy(piece, 0, out, at, piece.length);
        System.arraycopy(into, at, out, at + piece.length, into.length - at);
        return out;
    }

    @Test
    @Timeout(60)
    void randomBinaryAndInvalidUtf8() {
        Random random = new Random(7);
        for (int i = 0; i < 200; i++) {
            byte[] bytes = new byte[random.nextInt(4096)];
            random.nextBytes(bytes);
            lintBytes(bytes);
        }
        LintReport report = lintBytes("vrrp_instance V\u00e9 {\n  interface \u00ff\n}\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(report.diagnostics()).extracting(Diagnostic::code).contains("invalid-utf8");
    }

    @Test
    @Timeout(60)
    void tenMegabyteSingleLine() {
        byte[] line = new byte[10 * 1024 * 1024];
        Random random = new Random(3);
        for (int i = 0; i < line.length; i++) line[i] = (byte) (random.nextInt(10) == 0 ? ' ' : 'a' + random.nextInt(26));
        assertThat(lintBytes(line).diagnostics()).extracting(Diagnostic::code).contains("line-too-long");
        Arrays.fill(line, (byte) '{');
        assertThat(lintBytes(line).diagnostics()).extracting(Diagnostic::code).contains("unclosed-block");
        Arrays.fill(line, (byte) '"');
        lintBytes(line);
    }

    @Test
    @Timeout(60)
    void deepNestingAndRunawayDefinitions() {
        lintBytes("a {\n".repeat(10_000).getBytes(StandardCharsets.UTF_8));
        lintBytes("}\n".repeat(10_000).getBytes(StandardCharsets.UTF_8));
        LintReport loop = lintBytes("$A=$B $B\n$B=$A $A\nx $A\n".getBytes(StandardCharsets.UTF_8));
        assertThat(loop.diagnostics()).isNotEmpty();
        lintBytes("~SEQ(i, 1, 100000000) x $i\n~LST(a\n~SEQ(\n".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void nestedLoopsWhoseBodiesOnlyDefineVariablesAreCutWithADiagnostic() {
        // Three lines that kept keepwatch lint busy past 120 s: 100,000^3 definitions and not one output line, so
        // the bound on output lines never fired.
        String threeLines = """
            $INNER=~SEQ(c, 1, 100000) $X=1
            $MIDDLE=~SEQ(b, 1, 100000) $INNER
            ~SEQ(a, 1, 100000) $MIDDLE
            """;
        LintReport report = assertTimeoutPreemptively(Duration.ofSeconds(90),
            () -> lintBytes(threeLines.getBytes(StandardCharsets.UTF_8)), "the expansion was not bounded");
        assertThat(report.diagnostics()).anySatisfy(d -> {
            assertThat(d.code()).isEqualTo("include-limit");
            assertThat(d.location().file()).isEqualTo("/fuzz/keepalived.conf");
            assertThat(d.location().line()).isEqualTo(3);
            assertThat(d.message()).contains("~SEQ").contains("not checked");
        });
        // The same nesting written on one line.
        LintReport oneLine = assertTimeoutPreemptively(Duration.ofSeconds(90), () -> lintBytes(
            "vrrp_instance V {\n}\n~SEQ(a, 1, 100000) ~SEQ(b, 1, 100000) ~SEQ(c, 1, 100000) $X=1\n"
                .getBytes(StandardCharsets.UTF_8)), "the expansion was not bounded");
        assertThat(oneLine.diagnostics()).anySatisfy(d -> {
            assertThat(d.code()).isEqualTo("include-limit");
            assertThat(d.location().line()).isEqualTo(3);
        });
    }

    @Test
    @Timeout(60)
    void includeLoopsAndMissingIncludes(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.conf"), "include b.conf\nvrrp_instance A {\n}\n");
        Files.writeString(dir.resolve("b.conf"), "include a.conf\ninclude *.conf\ninclude missing.conf\n");
        ConfigDocument doc = new ConfigParser().load(dir.resolve("a.conf").toString());
        assertThat(doc.diagnostics()).extracting(Diagnostic::code).contains("include-loop", "include-no-match");
        assertThat(linter.lint(doc, LintOptions.forConfigId("x")).diagnostics()).isNotEmpty();
    }

    @Test
    void anIncludeNamingAFifoADeviceOrAHugeFileIsRefusedWithWhy(@TempDir Path dir) throws Exception {
        // keepalived would block opening the FIFO for ever; /dev/zero has no end; the sparse file is 3 GiB, which
        // reading whole threw OutOfMemoryError past the parser's catch.
        Path fifo = dir.resolve("pipe.conf");
        Process mkfifo = new ProcessBuilder(RequiredCommands.require("mkfifo", "coreutils").toString(), fifo.toString())
            .inheritIO().start();
        assertThat(mkfifo.waitFor()).isZero();
        try (var huge = new java.io.RandomAccessFile(dir.resolve("huge.conf").toFile(), "rw")) {
            huge.setLength(3L << 30);
        }
        Files.writeString(dir.resolve("keepalived.conf"),
            "include pipe.conf\ninclude /dev/zero\ninclude huge.conf\nvrrp_instance A {\n}\n");
        ConfigDocument doc = assertTimeoutPreemptively(Duration.ofSeconds(60),
            () -> new ConfigParser().load(dir.resolve("keepalived.conf").toString()), "an include blocked the parser");
        String main = dir.resolve("keepalived.conf").toString();
        assertThat(doc.diagnostics()).filteredOn(d -> d.code().equals("file-refused")).satisfiesExactly(
            d -> {
                assertThat(d.location().file()).isEqualTo(main);
                assertThat(d.location().line()).isEqualTo(1);
                assertThat(d.severity()).isEqualTo(Severity.ERROR);
                assertThat(d.message()).contains(fifo.toString()).contains("is a FIFO, not a regular file");
            },
            d -> {
                assertThat(d.location().line()).isEqualTo(2);
                assertThat(d.message()).contains("/dev/zero").contains("is a character device");
            },
            d -> {
                assertThat(d.location().line()).isEqualTo(3);
                assertThat(d.message()).contains(dir.resolve("huge.conf").toString()).contains("3221225472 bytes")
                    .contains("16777216");
            });
        assertThat(doc.files()).extracting(SourceFile::path).containsExactly(main);
        assertThat(linter.lint(doc, LintOptions.forConfigId("x")).diagnostics())
            .extracting(Diagnostic::code).contains("file-refused");
    }

    @Test
    @Timeout(120)
    void globMatchingThousandsOfFiles(@TempDir Path dir) throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf.d"));
        for (int i = 0; i < 3000; i++) {
            Files.writeString(conf.resolve(String.format("i%04d.conf", i)),
                "vrrp_instance VI_" + i + " {\n    interface eth0\n    virtual_router_id " + (1 + i % 255) + "\n}\n");
        }
        Files.writeString(dir.resolve("keepalived.conf"), "include conf.d/*.conf\n");
        long start = System.nanoTime();
        ConfigDocument doc = new ConfigParser().load(dir.resolve("keepalived.conf").toString());
        assertThat(doc.files()).hasSize(3001);
        LintReport report = linter.lint(doc, LintOptions.forConfigId("x"));
        assertThat(report.diagnostics()).extracting(Diagnostic::code).contains("duplicate-vrid");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
        ParseLimits small = new ParseLimits(65536, 4096, 64, 32, 100, 1 << 30);
        ConfigDocument limited = new ConfigParser(new FileSystemSource(), small).load(dir.resolve("keepalived.conf").toString());
        assertThat(limited.diagnostics()).extracting(Diagnostic::code).contains("include-limit");
        assertThat(limited.files()).hasSizeLessThanOrEqualTo(100);
    }
}
