package org.keepwatch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.keepwatch.agent.AgentException;
import org.keepwatch.agent.LogLine;
import org.keepwatch.agent.LogQuery;
import org.keepwatch.agent.LogRead;
import org.keepwatch.daemons.DaemonControl;
import org.keepwatch.daemons.DaemonLogs;
import org.keepwatch.daemons.LogTail;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * keepwatch logs NODE [DAEMON]: the keepalived log of a daemon as its agent reads it (its systemd unit's journal,
 * the file its output goes to, or syslog), filtered on the node by instance, level, text and time; with --follow the
 * new lines as they come, until interrupted. --json writes one JSON object per line. keepalived's lines for the dumps
 * the agent asks for ("Printing VRRP as json for process(N) on signal") are left out unless --dump-requests.
 */
final class LogsCommand implements Command {

    private static final Set<String> FLAGS = Set.of("--dump-requests", "--json", "--follow", "--yes");
    private static final Set<String> VALUED = Set.of("--fleet", "--timeout", "--instance", "--grep", "--since",
            "--lines", "--level");
    private static final Pattern RELATIVE = Pattern.compile("(\\d+)([smhd])");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MMM dd HH:mm:ss").withZone(ZoneId.systemDefault());
    private static final long READ_TIMEOUT_S = 60;

    private final Function<Arguments, FleetConnection> connect;
    private final Optional<Duration> followFor;

    LogsCommand() {
        this(FleetConnection::open, Optional.empty());
    }

    /** @param followFor how long --follow follows (tests); empty: until the process is interrupted */
    LogsCommand(Function<Arguments, FleetConnection> connect, Optional<Duration> followFor) {
        this.connect = connect;
        this.followFor = followFor;
    }

    @Override
    public String synopsis() {
        return "NODE [DAEMON] [--follow] [--instance I] [--level L] [--grep TEXT] [--since T] [--lines N] "
                + "[--dump-requests] [--fleet FILE] [--json] [--timeout SECONDS]";
    }

    @Override
    public String summary() {
        return "a daemon's keepalived log (journal, log file or syslog), filtered on the node; --follow for new lines";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        Arguments parsed = new Arguments(args, FLAGS, VALUED);
        List<String> operands = parsed.operands();
        if (operands.isEmpty() || operands.size() > 2) {
            throw new UsageException("give a node (and the daemon, on a node that runs several)");
        }
        LogQuery query = query(parsed, Instant.now());
        String node = operands.get(0);
        boolean json = parsed.has("--json");
        // keepalived's "Printing VRRP as json for process(N) on signal": the agent's own dump requests, every 30 s
        Predicate<LogLine> shown = parsed.has("--dump-requests") ? line -> true : line -> !line.dumpAsked();
        ObjectMapper mapper = new ObjectMapper();
        try (FleetConnection fleet = connect.apply(parsed)) {
            fleet.node(node);
            fleet.awaitOnline(List.of(node));
            String daemon;
            try {
                daemon = new DaemonControl(fleet.agents(), fleet::state, fleet.io())
                        .daemonOf(node, operands.size() == 2 ? Optional.of(operands.get(1)) : Optional.empty());
            } catch (IllegalArgumentException e) {
                throw new CommandFailure(ActionExit.FAILED, e.getMessage());
            }
            DaemonLogs logs = new DaemonLogs(fleet.agents(), fleet.io());
            LogRead read = await(logs.read(node, daemon, query), node);
            if (!json) {
                err.println("# " + node + ": " + label(daemon) + ", " + read.source().describe()
                        + (read.truncated() ? " (its last 8 MiB searched)" : ""));
            }
            read.lines().stream().filter(shown).forEach(line -> print(out, mapper, node, daemon, line, json));
            if (!parsed.has("--follow")) {
                return ActionExit.DONE;
            }
            CountDownLatch ended = new CountDownLatch(1);
            try (LogTail tail = await(logs.follow(node, daemon, query, lines -> {
                synchronized (out) {
                    lines.stream().filter(shown).forEach(line -> print(out, mapper, node, daemon, line, json));
                    out.flush();
                }
            }), node)) {
                if (!json) {
                    err.println("# following " + tail.source().describe() + " (Ctrl-C ends)");
                }
                if (followFor.isPresent()) {
                    ended.await(followFor.get().toMillis(), TimeUnit.MILLISECONDS);
                } else {
                    ended.await();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ActionExit.DONE;
        }
    }

    static LogQuery query(Arguments parsed, Instant now) {
        int lines = parsed.value("--lines").map(LogsCommand::count).orElse(LogQuery.DEFAULT_LINES);
        Optional<Instant> since = parsed.value("--since").map(t -> time(t, now));
        try {
            return new LogQuery(lines, since, Optional.empty(), parsed.value("--instance"), parsed.value("--level"),
                    parsed.value("--grep"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** 10m, 2h, 30s, 1d ago; an ISO instant (2026-12-05T09:21:00Z); or seconds since the epoch. */
    static Instant time(String text, Instant now) {
        Matcher relative = RELATIVE.matcher(text);
        if (relative.matches()) {
            long amount = Long.parseLong(relative.group(1));
            Duration ago = switch (relative.group(2)) {
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
            return now.minus(ago);
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            try {
                return Instant.ofEpochMilli(Math.round(Double.parseDouble(text) * 1000));
            } catch (NumberFormatException notNumber) {
                throw new UsageException("--since takes 10m, 2h, 1d (ago), an instant like 2026-12-05T09:21:00Z or "
                        + "seconds since the epoch, not " + text);
            }
        }
    }

    private static int count(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new UsageException("--lines takes a number, not " + text);
        }
    }

    private static void print(PrintStream out, ObjectMapper mapper, String node, String daemon, LogLine line,
                              boolean json) {
        if (json) {
            ObjectNode o = mapper.createObjectNode().put("node", node).put("daemon", daemon);
            line.time().ifPresentOrElse(t -> o.put("time", t.toString()), () -> o.putNull("time"));
            o.put("level", line.level());
            line.instance().ifPresentOrElse(i -> o.put("instance", i), () -> o.putNull("instance"));
            o.put("text", line.text());
            out.println(o.toString());
        } else {
            out.printf("%s %-7s %-8s %s%n", line.time().map(TIME::format).orElse("               "), line.level(),
                    line.instance().orElse("-"), line.text());
        }
    }

    private static <T> T await(CompletableFuture<T> future, String node) {
        try {
            return future.get(READ_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            int status = cause instanceof AgentException a && a.code().equals("untrusted") ? ActionExit.REFUSED : ActionExit.FAILED;
            throw new CommandFailure(status, (cause instanceof AgentException ? node + ": " : "") + cause.getMessage());
        } catch (TimeoutException e) {
            throw new CommandFailure(ActionExit.FAILED, node + ": no answer within " + READ_TIMEOUT_S + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailure(ActionExit.FAILED, "interrupted");
        }
    }

    private static String label(String daemon) {
        return daemon.equals("keepalived") ? "keepalived" : "keepalived " + daemon;
    }
}
