package org.keepwatch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import org.keepwatch.compose.Keepwatch;
import org.keepwatch.diagnosis.Diagnosis;
import org.keepwatch.diagnosis.DiagnosisService;
import org.keepwatch.diagnosis.Finding;
import org.keepwatch.diagnosis.Hearing;
import org.keepwatch.diagnosis.MemberEvidence;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.RouterMember;
import org.keepwatch.fleet.RouterStatus;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * keepwatch diagnose ROUTER: why a router splits, has no master or flaps. Every member's agent listens for VRRP at once
 * and the verdict names the most likely cause and the member it points at, with the evidence under it. It changes
 * nothing on the nodes (each writes one audit line), so it asks no confirmation; {@code --yes} is taken as every
 * action command takes it. Exit 0 when the diagnosis ran (whatever it found), 1 when no member could listen, 3 when
 * the fleet or the router's nodes cannot be reached, 64 for a router the fleet does not have.
 */
final class DiagnoseCommand implements Command {

    private static final int MARGIN_SECONDS = 60;

    @Override
    public String synopsis() {
        return "ROUTER [--seconds N] " + FleetConnection.SYNOPSIS;
    }

    @Override
    public String summary() {
        return "why a router misbehaves: its members listen for VRRP and the likely cause is named";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        Set<String> valued = new HashSet<>(FleetConnection.VALUED);
        valued.add("--seconds");
        Arguments parsed = new Arguments(args, FleetConnection.FLAGS, valued);
        if (parsed.operands().size() != 1) {
            throw new UsageException("diagnose takes one router: its instance name (VI_1), its VRID (51), or a Neutron "
                    + "router id");
        }
        Optional<Integer> seconds = parsed.value("--seconds").map(DiagnoseCommand::seconds);
        try (FleetConnection fleet = FleetConnection.open(parsed)) {
            fleet.settle();
            RouterStatus router = find(fleet, parsed.operands().get(0));
            List<String> nodes = router.members().stream().map(RouterMember::node).distinct().toList();
            DiagnosisService service = Keepwatch.diagnoses(fleet::session, fleet::state, fleet::fleet);
            PrintStream progress = parsed.has("--json") ? err : out;
            if (!parsed.has("--json")) {
                out.println(router.name() + " (" + router.key().label() + "): " + router.verdict().name().toLowerCase(Locale.ROOT)
                        .replace('_', ' ') + " — members " + String.join(", ", nodes));
            }
            var future = seconds.isPresent()
                    ? service.diagnose(router, seconds.get(), line -> progress.println("  " + line))
                    : service.diagnose(router, line -> progress.println("  " + line));
            Diagnosis diagnosis = future.get(DiagnosisService.MAX_SECONDS + MARGIN_SECONDS, TimeUnit.SECONDS);
            if (parsed.has("--json")) {
                out.println(json(diagnosis));
            } else {
                print(diagnosis, out);
            }
            return diagnosis.members().stream().anyMatch(m -> m.report().isPresent()) ? ActionExit.DONE : ActionExit.FAILED;
        } catch (ExecutionException e) {
            throw new CommandFailure(ActionExit.FAILED, String.valueOf(e.getCause().getMessage()));
        } catch (TimeoutException e) {
            throw new CommandFailure(ActionExit.FAILED, "the members did not answer in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailure(ActionExit.FAILED, "interrupted");
        }
    }

    /** The router named: by instance name, VRID ("51" or "VRID 51"), or Neutron router id (or a unique prefix of it). */
    static RouterStatus find(FleetConnection fleet, String name) {
        List<RouterStatus> routers = fleet.state().routers();
        List<RouterStatus> found = routers.stream().filter(r -> r.name().equals(name) || r.key().id().equals(name)
                || r.key().label().equalsIgnoreCase(name) || String.valueOf(r.vrid()).equals(name)).toList();
        if (found.isEmpty()) {
            found = routers.stream().filter(r -> r.key().kind() == RouterKey.Kind.NEUTRON && r.key().id().startsWith(name))
                    .toList();
        }
        if (found.size() == 1) {
            return found.get(0);
        }
        if (found.isEmpty()) {
            throw new UsageException("no router " + name + " in the fleet (its routers: " + routers.stream()
                    .map(r -> r.name() + " (" + r.key().label() + ")").collect(Collectors.joining(", ")) + ")");
        }
        throw new UsageException(name + " names " + found.size() + " routers: " + found.stream()
                .map(r -> r.name() + " (" + r.key().label() + (r.key().scope().isEmpty() ? "" : ", group " + r.key().scope()) + ")")
                .collect(Collectors.joining(", ")) + "; name one by its VRID or router id");
    }

    static void print(Diagnosis d, PrintStream out) {
        out.println();
        out.println("Verdict: " + d.verdict().cause().title() + d.verdict().pointsAt().map(p -> " — " + p).orElse(""));
        printFinding(d.verdict(), out);
        if (!d.findings().isEmpty()) {
            out.println();
            out.println("Also found:");
            for (Finding f : d.findings()) {
                out.println("  " + f.cause().title() + f.pointsAt().map(p -> " — " + p).orElse(""));
                printFinding(f, out);
            }
        }
        out.println();
        out.println("Who hears whom (" + formatSeconds(d.windowSeconds()) + " s):");
        Map<String, List<Hearing>> byListener = new LinkedHashMap<>();
        d.members().forEach(m -> byListener.put(m.node(), new ArrayList<>()));
        d.hearing().forEach(h -> byListener.computeIfAbsent(h.listener(), k -> new ArrayList<>()).add(h));
        byListener.forEach((listener, list) -> {
            Optional<MemberEvidence> member = d.members().stream().filter(m -> m.node().equals(listener)).findFirst();
            if (member.flatMap(MemberEvidence::failure).isPresent()) {
                out.println("  " + listener + ": not asked (" + member.get().failure().get() + ")");
                return;
            }
            List<Hearing> heard = list.stream().filter(Hearing::heard).toList();
            List<Hearing> missed = list.stream().filter(h -> !h.heard()).toList();
            String line = heard.isEmpty() ? "hears no one" : "hears " + heard.stream().map(h -> (h.stranger() ? "stranger " : "")
                    + h.sender() + " (priority " + h.priority().orElse(0) + ", " + h.packets() + " adverts)")
                    .collect(Collectors.joining(", "));
            if (!missed.isEmpty()) {
                line += "; not " + missed.stream().map(Hearing::sender).collect(Collectors.joining(", "));
            }
            out.println("  " + listener + " " + line);
        });
        if (!d.notes().isEmpty()) {
            out.println();
            out.println("Could not tell:");
            d.notes().forEach(n -> out.println("  " + n));
        }
    }

    private static void printFinding(Finding f, PrintStream out) {
        out.println("  " + f.sentence());
        f.evidence().forEach(e -> out.println("    - " + e));
    }

    static String json(Diagnosis d) {
        ObjectMapper mapper = new ObjectMapper().registerModule(new Jdk8Module()).enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode().put("router", d.router()).put("vrid", d.vrid())
                .put("windowSeconds", d.windowSeconds());
        root.set("verdict", finding(mapper, d.verdict()));
        ArrayNode findings = root.putArray("findings");
        d.findings().forEach(f -> findings.add(finding(mapper, f)));
        ArrayNode hearing = root.putArray("hearing");
        d.hearing().forEach(h -> {
            ObjectNode node = hearing.addObject().put("listener", h.listener()).put("sender", h.sender())
                    .put("stranger", h.stranger()).put("packets", h.packets());
            h.priority().ifPresent(p -> node.put("priority", p));
        });
        ArrayNode members = root.putArray("members");
        d.members().forEach(m -> {
            ObjectNode node = members.addObject().put("node", m.node()).put("daemon", m.daemon()).put("instance", m.instance());
            m.failure().ifPresent(f -> node.put("failure", f));
            m.report().ifPresent(r -> node.set("report", mapper.valueToTree(r)));
        });
        root.set("notes", mapper.valueToTree(d.notes()));
        return root.toPrettyString();
    }

    private static ObjectNode finding(ObjectMapper mapper, Finding f) {
        ObjectNode node = mapper.createObjectNode().put("cause", f.cause().name()).put("title", f.cause().title())
                .put("sentence", f.sentence());
        f.pointsAt().ifPresent(p -> node.put("pointsAt", p));
        node.set("evidence", mapper.valueToTree(f.evidence()));
        return node;
    }

    private static String formatSeconds(double seconds) {
        return seconds == Math.rint(seconds) ? String.valueOf((long) seconds) : String.valueOf(seconds);
    }

    private static int seconds(String text) {
        try {
            int value = Integer.parseInt(text);
            if (value < 1 || value > DiagnosisService.MAX_SECONDS) {
                throw new UsageException("--seconds takes 1 to " + DiagnosisService.MAX_SECONDS + ", not " + text);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new UsageException("--seconds takes whole seconds, not " + text);
        }
    }
}
