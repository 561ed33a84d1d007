package org.keepwatch.config.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.keepwatch.config.ConfigDocument;
import org.keepwatch.config.ConfigParser;
import org.keepwatch.config.LintOptions;
import org.keepwatch.config.LintReport;
import org.keepwatch.config.Linter;
import org.keepwatch.config.PeerChecker;
import org.keepwatch.config.PeerMember;
import org.keepwatch.config.PeerReport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The config engine's targets on a 1 MB, 2,000-instance Neutron-shaped configuration: parse under 50 ms,
 * write back under 20 ms (warm), tree under 20 MB of heap, beside keepalived -t on the same file.
 * Run: see docs/benchmarks.md, section "Config engine".
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ConfigEngineBenchmark {
    static final int INSTANCES = 2000;

    private byte[] bytes;
    private ConfigDocument parsed;
    private Path file;
    private List<PeerMember> members;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        bytes = LargeConfig.neutronRouters(INSTANCES);
        parsed = new ConfigParser().parse("/bench/keepalived.conf", bytes);
        members = List.of(PeerMember.of("n1", parsed, "n1"), PeerMember.of("n2", parsed, "n2"), PeerMember.of("n3", parsed, "n3"));
        file = Files.createTempFile("kwt-bench-", ".conf");
        Files.write(file, bytes);
    }

    @Benchmark
    public ConfigDocument parse() {
        return new ConfigParser().parse("/bench/keepalived.conf", bytes);
    }

    @Benchmark
    public Map<String, byte[]> writeBack() {
        return parsed.render();
    }

    @Benchmark
    public LintReport lint() {
        return new Linter().lint(parsed, LintOptions.forConfigId("bench"));
    }

    /** Peer consistency of three members running all 2,000 routers: 6,000 instances matched and compared. */
    @Benchmark
    public PeerReport peerCheck() {
        return new PeerChecker().check(members);
    }

    /** keepalived -t on the same bytes, to express the engine's speed as a ratio. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 2)
    @Measurement(iterations = 5)
    public int keepalivedCheck() throws Exception {
        Process process = new ProcessBuilder("keepalived", "-t", "-f", file.toString())
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return process.waitFor();
    }

    /** Heap retained by one parsed document (bytes included), measured after full collections. */
    public static void main(String[] args) {
        byte[] input = LargeConfig.neutronRouters(INSTANCES);
        long before = usedAfterGc();
        ConfigDocument doc = new ConfigParser().parse("/bench/keepalived.conf", input);
        long after = usedAfterGc();
        System.out.printf("input %,d bytes, %d instances, tree %,d bytes of heap (%.1f MB), %d roots%n",
            input.length, INSTANCES, after - before, (after - before) / 1048576.0, doc.roots().size());
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 4; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
