package org.keepwatch.diagnosis;

import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.DiagnoseReport;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.RouterMember;
import org.keepwatch.fleet.RouterStatus;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * "Why?" for one router: every member's agent listens for VRRP at the same time (with one salt, so that their
 * password fingerprints compare), and {@link DiagnosisRules} reads their answers. A member whose node is not
 * connected is told as such, not waited for.
 */
public final class DiagnosisService {

    /** Adverts a window should hold at the slowest member's advert interval. */
    public static final int ADVERTS_PER_WINDOW = 3;
    public static final int MIN_SECONDS = 3;
    /** What the agent listens at most by default (its diagnose_listen_max). */
    public static final int MAX_SECONDS = 10;
    private static final int SALT_BYTES = 16;

    private final Function<String, Optional<AgentSession>> sessions;
    private final Supplier<FleetState> state;
    private final Function<String, List<String>> fleetAddresses;
    private final SecureRandom random = new SecureRandom();

    /** @param fleetAddresses a node's addresses as the fleet file gives them (its host, when that is an address) */
    public DiagnosisService(Function<String, Optional<AgentSession>> sessions, Supplier<FleetState> state,
                            Function<String, List<String>> fleetAddresses) {
        this.sessions = sessions;
        this.state = state;
        this.fleetAddresses = fleetAddresses;
    }

    /** The node's host from the fleet file when it is an IP address (a name is not resolved here: no DNS on a page). */
    public static List<String> addressOf(Optional<String> host) {
        return host.filter(h -> h.matches("[0-9.]+") || h.contains(":")).map(List::of).orElse(List.of());
    }

    /** The router as the fleet sees it now, or an error naming it when the fleet has no such router. */
    public CompletableFuture<Diagnosis> diagnose(RouterKey key, Consumer<String> progress) {
        Optional<RouterStatus> router = state.get().router(key);
        if (router.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no router " + key.label() + " in the fleet"));
        }
        return diagnose(router.get(), progress);
    }

    /**
     * Asks every member of the router to listen for a window that holds {@link #ADVERTS_PER_WINDOW} adverts of the
     * slowest member (at least {@link #MIN_SECONDS}, at most {@link #MAX_SECONDS}); progress hears what happens,
     * on the agents' threads.
     */
    public CompletableFuture<Diagnosis> diagnose(RouterStatus router, Consumer<String> progress) {
        double slowest = router.members().stream().mapToDouble(m -> m.lastKnown().advertInt()).max().orElse(1);
        int seconds = (int) Math.min(MAX_SECONDS, Math.max(MIN_SECONDS, Math.ceil(ADVERTS_PER_WINDOW * slowest)));
        return diagnose(router, seconds, progress);
    }

    public CompletableFuture<Diagnosis> diagnose(RouterStatus router, int seconds, Consumer<String> progress) {
        byte[] saltBytes = new byte[SALT_BYTES];
        random.nextBytes(saltBytes);
        String salt = HexFormat.of().formatHex(saltBytes);
        List<CompletableFuture<MemberEvidence>> answers = new ArrayList<>();
        List<String> asked = new ArrayList<>();
        for (RouterMember member : router.members()) {
            String node = member.node();
            String daemon = member.lastKnown().daemon();
            String instance = member.lastKnown().name();
            Optional<AgentSession> session = sessions.apply(node);
            if (session.isEmpty()) {
                answers.add(CompletableFuture.completedFuture(
                        MemberEvidence.failed(node, daemon, instance, "its node is not connected")));
                continue;
            }
            asked.add(node);
            answers.add(DiagnoseReport.request(session.get(), daemon, Optional.of(instance), seconds, salt)
                    .handle((report, error) -> {
                        if (error != null) {
                            Throwable cause = error instanceof CompletionException && error.getCause() != null
                                    ? error.getCause() : error;
                            progress.accept(node + " could not listen: " + cause.getMessage());
                            return MemberEvidence.failed(node, daemon, instance, String.valueOf(cause.getMessage()));
                        }
                        progress.accept(node + " has listened (" + report.senders().size() + " sender"
                                + (report.senders().size() == 1 ? "" : "s") + " heard)");
                        return MemberEvidence.of(node, daemon, instance, report);
                    }));
        }
        progress.accept("listening for VRRP on " + (asked.isEmpty() ? "no member (none is connected)"
                : String.join(", ", asked)) + " for " + seconds + " s");
        String label = router.key().kind() == RouterKey.Kind.NEUTRON ? router.key().label()
                : router.name() + " (" + router.key().label() + ")";
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenApply(done -> DiagnosisRules.judge(label, router.vrid(), answers.stream()
                        .map(CompletableFuture::join).map(m -> m.withFleetAddresses(fleetAddresses.apply(m.node()))).toList()));
    }
}
