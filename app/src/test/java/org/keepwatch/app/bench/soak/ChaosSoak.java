package org.keepwatch.app.bench.soak;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.stage.Stage;
import org.keepwatch.agent.AgentScript;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.app.AppWindow;
import org.keepwatch.fleet.FleetService;
import org.keepwatch.app.shell.MainView;
import org.keepwatch.fleet.ConnectionState;
import org.keepwatch.fleet.FleetEvent;
import org.keepwatch.fleet.FleetMonitor;
import org.keepwatch.fleet.NodeSupervisor;
import org.keepwatch.fleet.Verdict;
import org.keepwatch.lab.Lab;
import org.keepwatch.lab.LabStatus;
import org.keepwatch.lab.VerdictAgreement;
import org.keepwatch.lab.VerdictAgreement.Said;
import org.keepwatch.ssh.SshConfig;
import org.keepwatch.ssh.SshConnector;
import org.keepwatch.ssh.SshEnvironment;
import org.keepwatch.ssh.SshPrompts;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Issue 13's chaos soak: random faults on the lab for as long as asked (stop, crash, hang, cut, partition, sshd
 * down, sshd restarted, the agents killed; sometimes two at once), while the app (headless, the real window's
 * composition) and {@code keepwatch status --watch} (a JVM of its own) follow the fleet. After every fault and
 * every heal, once the lab's own truth ({@code lab/status}) has settled, both must agree with it within 5 s (the
 * app's Routers table by {@link VerdictAgreement}; the status watcher by the alarms it has raised and not cleared).
 * Meanwhile the clients' heap, threads and descriptors and every agent's RSS are sampled; they must stay flat, and
 * nothing may be left behind at the end (no alarm raised, no agent more than one per client and node).
 *
 * <pre>
 * lab/up basic neutron
 * mvn -q -pl agent-client,app test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
 * CP=app/target/classes:app/target/test-classes:agent-client/target/test-classes:$(cat app/target/test-classpath.txt)
 * sudo flock /run/kw-lab.lock java -cp $CP org.keepwatch.app.bench.soak.ChaosSoak --minutes 30 [--seed N] [--report FILE]
 * </pre>
 * Exit 0 when every check held; the report (JSON) has every round and sample.
 */
public final class ChaosSoak {

    private ChaosSoak() {
    }

    public static void main(String[] args) {
        Options.parse(args);
        // Headless, as the UI tests run: the real views and view models, no display needed.
        System.setProperty("glass.platform", "Monocle");
        System.setProperty("monocle.platform", "Headless");
        System.setProperty("prism.order", "sw");
        Application.launch(Soak.class, args);
    }

    record Options(double minutes, long seed, Path report) {
        static Options parsed;

        static void parse(String[] args) {
            double minutes = 30;
            long seed = System.nanoTime();
            Path report = Path.of("target/chaos-soak.json");
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--minutes" -> minutes = Double.parseDouble(args[++i]);
                    case "--seed" -> seed = Long.parseLong(args[++i]);
                    case "--report" -> report = Path.of(args[++i]);
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]
                            + "; use --minutes M --seed N --report FILE");
                }
            }
            parsed = new Options(minutes, seed, report);
        }
    }

    /** One round: the faults, how long they were held, and what was found. */
    record Round(int round, double minute, List<String> faults, double heldSeconds, double settleSeconds,
                 Map<String, String> truth, long appAgreedMs, long statusAgreedMs, long healAgreedMs,
                 long recoveredMs, List<String> disagreements) {
    }

    /** The app's window and the soak that drives the lab around it. */
    public static final class Soak extends Application {

        private static final Duration AGREE_WITHIN = Duration.ofSeconds(5);
        private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(150);
        private static final int SAMPLE_SECONDS = 30;
        private static final double MAX_HOLD_SECONDS = 15;
        private static final double SECOND_FAULT_CHANCE = 0.3;

        private final List<FleetEvent.Alarm> notified = new CopyOnWriteArrayList<>();
        private final List<Round> rounds = new ArrayList<>();
        private FleetService service;
        private AppWindow window;

        @Override
        public void start(Stage stage) throws Exception {
            Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet());
            Clock clock = Clock.systemUTC();
            SshEnvironment environment = SshEnvironment.ofCurrentUser().withAgentSocket(Optional.empty());
            FleetMonitor.Parts parts = new FleetMonitor.Parts(SshConfig.none(environment), new SshConnector(),
                    SshPrompts.BATCH, AgentScript.bundled(), AgentSession.Options.defaults(),
                    NodeSupervisor.Settings.defaults(), clock);
            service = new FleetService(clock, Executors.newCachedThreadPool(), () -> parts);
            window = new AppWindow(service, clock, Runnable::run, notified::add, service::reconnect,
                    new MainView.Actions(() -> { }, () -> { }, new ArrayList<>()), List.of());
            stage.setScene(window.scene());
            stage.show();
            window.pulse().start();
            Thread soak = new Thread(() -> {
                int code;
                try {
                    code = soak(Options.parsed) ? 0 : 1;
                } catch (Throwable e) {
                    e.printStackTrace();
                    code = 2;
                }
                service.close();
                int exit = code;
                Platform.runLater(() -> {
                    Platform.exit();
                    System.exit(exit);
                });
            }, "chaos-soak");
            soak.start();
        }

        private boolean soak(Options options) throws Exception {
            Lab lab = Lab.fromWorkingDirectory();
            lab.ok("heal");
            lab.awaitHealthy(Duration.ofSeconds(60));
            service.open(lab.fleetFile()).get(20, TimeUnit.SECONDS);
            fx(() -> {
                window.model().fleetOpened("keepwatch-lab");
                return null;
            });
            Random random = new Random(options.seed());
            List<String> disagreements = new ArrayList<>();
            try (StatusWatch status = new StatusWatch(System.getProperty("java.class.path"), lab.fleetFile())) {
                require(Lab.await(Duration.ofSeconds(90), Duration.ofMillis(250), () -> status.started() && appHealthy())
                        .isPresent(), "the app and the status watcher never saw a healthy lab");
                long start = System.nanoTime();
                long end = start + (long) (options.minutes() * 60e9);
                ResourceSampler sampler = new ResourceSampler(start, status.pid());
                ScheduledExecutorService sampling = Executors.newSingleThreadScheduledExecutor();
                sampling.scheduleAtFixedRate(sampler::sample, 0, SAMPLE_SECONDS, TimeUnit.SECONDS);
                System.out.printf("chaos soak: %.0f min, seed %d%n", options.minutes(), options.seed());
                while (System.nanoTime() < end) {
                    Round round = round(lab, random, status, rounds.size() + 1, (System.nanoTime() - start) / 60e9);
                    rounds.add(round);
                    disagreements.addAll(round.disagreements().stream().map(d -> "round " + round.round() + " ("
                            + String.join(" + ", round.faults()) + "): " + d).toList());
                    System.out.printf("%5.1f min  round %3d  %-28s held %4.1f s  settled %4.1f s  app %5d ms  status %5d ms"
                                    + "  healed: app %5d ms  all healthy %6d ms  %s%n", round.minute(), round.round(),
                            String.join(" + ", round.faults()), round.heldSeconds(), round.settleSeconds(),
                            round.appAgreedMs(), round.statusAgreedMs(), round.healAgreedMs(), round.recoveredMs(),
                            round.disagreements().isEmpty() ? "ok" : "DISAGREE " + round.disagreements());
                }
                sampling.shutdown();
                sampling.awaitTermination(30, TimeUnit.SECONDS);
                Thread.sleep(5000);   // agents of the last round's sessions end
                sampler.sample();
                SoakReport report = new SoakReport(options, rounds, sampler, appAlarms(), notified.size(), status,
                        disagreements);
                ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
                Files.createDirectories(options.report().toAbsolutePath().getParent());
                json.writeValue(options.report().toFile(), report.toJson(json));
                report.print(System.out);
                System.out.println("report: " + options.report().toAbsolutePath());
                return report.passed();
            }
        }

        private Round round(Lab lab, Random random, StatusWatch status, int number, double minute) throws Exception {
            List<SoakFault> faults = new ArrayList<>();
            faults.add(SoakFault.random(random, List.of()));
            if (random.nextDouble() < SECOND_FAULT_CHANCE) {
                faults.add(SoakFault.random(random, faults.get(0).nodes()));
            }
            List<String> found = new ArrayList<>();
            faults.forEach(f -> f.inject(lab));
            double held = random.nextDouble() * MAX_HOLD_SECONDS;
            Thread.sleep((long) (held * 1000));
            long settling = System.nanoTime();
            LabStatus truth = VerdictAgreement.settled(lab);
            double settle = (System.nanoTime() - settling) / 1e9;
            Predicate<String> touched = node -> faults.stream().anyMatch(f -> f.touches(node));
            Predicate<String> hidden = node -> faults.stream().anyMatch(f -> f.hides(node));
            String what = faults.toString();
            long appAgreed = agree("app", found, () -> {
                List<String> both = new ArrayList<>(VerdictAgreement.disagreements(touched, hidden, what, truth, appSaid()));
                both.addAll(VerdictAgreement.alarmDisagreements(hidden, truth, appAlarms()).stream()
                        .map(d -> "alarm banner: " + d).toList());
                if (!both.isEmpty()) {
                    both.add("(the app's engine: " + engineSays() + ")");
                }
                return both;
            });
            long statusAgreed = agree("status --watch", found,
                    () -> VerdictAgreement.alarmDisagreements(hidden, truth, status.raised()));

            lab.ok("heal");
            LabStatus healed = lab.awaitHealthy(Duration.ofSeconds(90));
            // A node Keepwatch has not read again yet (its reconnect waits out a backoff) may show STALE: honest.
            long healAgreed = agree("app after heal", found, () -> {
                Set<String> unread = Set.copyOf(unreadNodes());
                return VerdictAgreement.disagreements(unread::contains, unread::contains, "not read yet " + unread, healed,
                        appSaid());
            });
            agree("status --watch after heal", found,
                    () -> VerdictAgreement.alarmDisagreements(node -> false, healed, status.raised()));
            agree("app's alarms after heal", found,
                    () -> VerdictAgreement.alarmDisagreements(node -> false, healed, appAlarms()));
            long recovered = Lab.await(RECOVERY_LIMIT, Duration.ofMillis(250), this::appHealthy)
                    .map(Duration::toMillis).orElse(-1L);
            if (recovered < 0) {
                found.add("the app did not show every node online and every router HEALTHY within "
                        + RECOVERY_LIMIT.toSeconds() + " s of the heal: unread " + unreadNodes());
            }
            Map<String, String> summary = new LinkedHashMap<>();
            truth.routers().forEach(r -> summary.put(VerdictAgreement.labelOf(r), r.verdict() + " " + r.masters()));
            return new Round(number, minute, faults.stream().map(SoakFault::toString).toList(), held, settle, summary,
                    appAgreed, statusAgreed, healAgreed, recovered, found);
        }

        /** How long until {@code check} finds nothing, at most 5 s; what it found at the end is added to {@code found}. */
        private static long agree(String who, List<String> found, Supplier<List<String>> check) throws InterruptedException {
            long start = System.nanoTime();
            long deadline = start + AGREE_WITHIN.toNanos();
            List<String> last;
            while (!(last = check.get()).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            if (!last.isEmpty()) {
                found.add(who + ": " + last);
                return -1;
            }
            return (System.nanoTime() - start) / 1_000_000;
        }

        private List<Said> appSaid() {
            return fx(() -> window.model().routers().rows().stream().map(r -> new Said(r.key().label(),
                    r.verdictProperty().get(), r.membersProperty().get().stream().map(m -> m.node()).toList())).toList());
        }

        /** What the app's fleet engine itself says of every router that is not HEALTHY, or of all when none is. */
        private String engineSays() {
            return service.state().routers().stream().map(r -> r.key().label() + "=" + r.verdict() + " "
                    + r.members().stream().map(m -> m.node() + ":" + m.state()).toList()).toList().toString();
        }

        /** The alarms the app shows as active (its banner and Alarms list), by router label. */
        private Map<String, Verdict> appAlarms() {
            return fx(() -> {
                Map<String, Verdict> active = new LinkedHashMap<>();
                window.model().alarms().alarms().forEach(a -> active.put(a.router().label(), a.verdict()));
                return active;
            });
        }

        private List<String> unreadNodes() {
            return fx(() -> window.model().nodes().rows().stream()
                    .filter(n -> n.connectionProperty().get() != ConnectionState.ONLINE).map(n -> n.name()).toList());
        }

        private boolean appHealthy() {
            return fx(() -> window.model().nodes().rows().size() == SoakFault.BASIC.size() + SoakFault.NEUTRON.size()
                    && window.model().nodes().rows().stream().allMatch(n -> n.connectionProperty().get() == ConnectionState.ONLINE)
                    && !window.model().routers().rows().isEmpty()
                    && window.model().routers().rows().stream().allMatch(r -> r.verdictProperty().get() == Verdict.HEALTHY));
        }

        private static <T> T fx(Callable<T> read) {
            CompletableFuture<T> result = new CompletableFuture<>();
            Platform.runLater(() -> {
                try {
                    result.complete(read.call());
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            });
            try {
                return result.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("the FX thread did not answer within 10 s", e);
            }
        }

        private static void require(boolean condition, String why) {
            if (!condition) {
                throw new IllegalStateException(why);
            }
        }
    }
}
