package org.keepwatch.push;

import org.keepwatch.config.Statement;
import org.keepwatch.config.VrrpInstance;
import org.keepwatch.drafts.ConfigDraft;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.drafts.RouterDraft;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.RouterMember;
import org.keepwatch.fleet.RouterStatus;
import org.keepwatch.fleet.VrrpState;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What the election will do once a push is in place, said before the push: "n3 (200) will take VI_2 over from n2
 * (150)", or that no master changes. Worked out from the fleet as watched now (who is MASTER, each member's
 * effective priority, which members take part) and the pushed configuration's priority, nopreempt and state, the
 * way keepalived elects: the highest priority wins; a BACKUP takes over from a live MASTER only when its priority
 * is strictly higher and it preempts ({@code nopreempt} is honoured only with initial state BACKUP, as keepalived
 * does); a member's tracked weights stay what they are now, so its effective priority moves by as much as its
 * configured one.
 */
public final class ElectionForecast {

    /** A member's election settings in the pushed configuration. */
    public record After(int priority, boolean nopreempt, Optional<VrrpInstance.State> state) {

        public static After of(VrrpInstance instance) {
            return new After(instance.effectivePriority(), instance.nopreempt(), instance.state());
        }

        /** keepalived ignores nopreempt on an instance whose initial state is MASTER. */
        boolean preempts() {
            return !nopreempt || state.orElse(VrrpInstance.State.BACKUP) == VrrpInstance.State.MASTER;
        }
    }

    /**
     * One router's forecast: the master now and after (empty: none), whether it changes, and in words.
     *
     * @param router the router's name as the tables show it (its instance name)
     */
    public record Forecast(RouterKey key, String router, Optional<String> masterNow, Optional<String> masterAfter,
                           boolean masterChanges, String sentence) {
    }

    private ElectionForecast() {
    }

    /** The forecast of one router whose members get the settings of {@code after} (members not named keep theirs). */
    public static Forecast of(RouterStatus router, Map<String, After> after) {
        List<Contender> contenders = new ArrayList<>();
        for (RouterMember m : router.members()) {
            VrrpState state = m.state();
            if (state != VrrpState.MASTER && state != VrrpState.BACKUP) {
                continue;
            }
            int now = m.lastKnown().effectivePriority();
            After settings = after.get(m.node());
            int then = settings == null ? now
                    : Math.max(1, Math.min(255, now - m.lastKnown().basePriority() + settings.priority()));
            boolean preempts = settings == null ? !m.lastKnown().nopreempt() : settings.preempts();
            contenders.add(new Contender(m.node(), state == VrrpState.MASTER, then, preempts));
        }
        String name = router.name();
        if (contenders.isEmpty()) {
            return new Forecast(router.key(), name, Optional.empty(), Optional.empty(), false,
                    "No member of " + name + " is MASTER or BACKUP now: the push changes no master Keepwatch can see");
        }
        List<Contender> masters = contenders.stream().filter(Contender::master).toList();
        Contender best = contenders.stream().max(Comparator.comparingInt(Contender::priority)
                .thenComparing(Contender::master)).orElseThrow();
        if (masters.isEmpty()) {
            return new Forecast(router.key(), name, Optional.empty(), Optional.of(best.node()), true,
                    name + " has no master now; " + best + " should become its master");
        }
        if (masters.size() > 1) {
            return new Forecast(router.key(), name, Optional.empty(), Optional.of(best.node()), true,
                    name + " is split now (" + masters.stream().map(Contender::node).collect(Collectors.joining(", "))
                            + " MASTER); once they hear each other " + best + " should be its master");
        }
        Contender master = masters.get(0);
        Optional<Contender> challenger = contenders.stream()
                .filter(c -> c != master && c.preempts() && c.priority() > master.priority())
                .max(Comparator.comparingInt(Contender::priority));
        if (challenger.isPresent()) {
            return new Forecast(router.key(), name, Optional.of(master.node()), Optional.of(challenger.get().node()), true,
                    challenger.get() + " will take " + name + " over from " + master);
        }
        Optional<Contender> held = contenders.stream().filter(c -> c != master && c.priority() > master.priority())
                .max(Comparator.comparingInt(Contender::priority));
        return new Forecast(router.key(), name, Optional.of(master.node()), Optional.of(master.node()), false,
                "No master changes for " + name + ": " + master + " stays master"
                        + held.map(h -> "; " + h + " is higher but does not preempt (nopreempt)").orElse(""));
    }

    /** The router editor's push: every member gets its draft's settings. */
    public static Forecast ofRouter(RouterStatus router, RouterDraft draft) {
        Map<String, After> after = new HashMap<>();
        for (RouterDraft.Member m : draft.members()) {
            m.model().ifPresent(i -> after.put(m.node(), After.of(i)));
        }
        return of(router, after);
    }

    /**
     * A node's push: one forecast for every router whose instance on that node the draft changes (any word of its
     * block), in the order of the configuration. An instance the fleet does not show on that node yet is told as such.
     */
    public static List<Forecast> ofNode(List<RouterStatus> routers, EditTarget target, ConfigDraft draft) {
        List<Forecast> out = new ArrayList<>();
        for (VrrpInstance instance : draft.model().instances()) {
            Optional<VrrpInstance> before = draft.baseModel().instance(instance.name());
            if (before.isPresent() && fingerprint(before.get().node()).equals(fingerprint(instance.node()))) {
                continue;
            }
            Optional<RouterStatus> router = routers.stream().filter(r -> r.member(target.node())
                    .filter(m -> m.lastKnown().daemon().equals(target.daemon()) && m.lastKnown().name().equals(instance.name()))
                    .isPresent()).findFirst();
            if (router.isEmpty()) {
                out.add(new Forecast(new RouterKey(RouterKey.Kind.VRRP, "", instance.name()), instance.name(), Optional.empty(),
                        Optional.empty(), false, instance.name() + " is not running on " + target.node()
                        + " now: it joins the election after the push"));
                continue;
            }
            out.add(of(router.get(), Map.of(target.node(), After.of(instance))));
        }
        return out;
    }

    /** A block's words and its children's, recursively: what keepalived reads of it, without layout or comments. */
    private static String fingerprint(Statement statement) {
        StringBuilder out = new StringBuilder();
        statement.condition().ifPresent(c -> out.append('@').append(c).append(' '));
        out.append(String.join(" ", statement.words()));
        if (statement.hasBlock()) {
            out.append(" {");
            statement.children().forEach(c -> out.append(fingerprint(c)).append(';'));
            out.append('}');
        }
        return out.toString();
    }

    private record Contender(String node, boolean master, int priority, boolean preempts) {
        @Override
        public String toString() {
            return node + " (" + priority + ")";
        }
    }
}
