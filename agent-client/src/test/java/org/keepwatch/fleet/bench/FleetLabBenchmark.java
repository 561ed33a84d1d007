package org.keepwatch.fleet.bench;

import org.keepwatch.lab.Lab;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The fleet engine's targets (issue 5) measured against the real lab: run as root with the lab up
 * ({@code lab/up basic neutron}). See docs/benchmarks.md, section "Fleet engine (issue 5)".
 *
 * <pre>
 * FleetLabBenchmark failover [ROUNDS]           two failovers per round (default 25)
 * FleetLabBenchmark connect [COPIES] [ROUNDS]   5 x COPIES sessions (default 20 = 100), ROUNDS monitors (default 3)
 * FleetLabBenchmark sessions [COPIES] [SECONDS] 5 x COPIES sessions (default 100 = 500), CPU over SECONDS (default 120)
 * </pre>
 */
public final class FleetLabBenchmark {

    private FleetLabBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String which = args.length == 0 ? "" : args[0];
        if (!List.of("failover", "connect", "sessions").contains(which)) {
            System.err.println("usage: FleetLabBenchmark failover [ROUNDS] | connect [COPIES] [ROUNDS] | sessions [COPIES] [SECONDS]");
            System.exit(2);
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("the lab needs root");
        }
        Lab lab = Lab.fromWorkingDirectory();
        if (lab.run("status").exitCode() != 0) {
            throw new IllegalStateException("the lab is not up and settled: run lab/up basic neutron (as root) first");
        }
        switch (which) {
            case "failover" -> new FailoverBenchmark(lab, number(rest, 0, 25)).run();
            case "connect" -> new ConnectBenchmark(lab, number(rest, 0, 20), number(rest, 1, 3)).run();
            // A minute to settle: the JIT, and the agents' first periodic snapshots (staggered over 30 s).
            case "sessions" -> new SessionCostBenchmark(lab, number(rest, 0, 100), Duration.ofSeconds(60),
                    Duration.ofSeconds(number(rest, 1, 120)), Duration.ofSeconds(20)).run();
            default -> throw new IllegalArgumentException(which);
        }
        System.exit(0); // SSHJ and agent threads are daemons, but do not wait on anything left
    }

    private static int number(List<String> args, int index, int fallback) {
        return args.size() > index ? Integer.parseInt(args.get(index)) : fallback;
    }
}
