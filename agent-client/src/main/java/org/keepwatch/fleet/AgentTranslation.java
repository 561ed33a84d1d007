package org.keepwatch.fleet;

import org.keepwatch.agent.AgentEvent;
import org.keepwatch.agent.DaemonState;
import org.keepwatch.agent.InstanceState;
import org.keepwatch.agent.MaintenanceRecord;
import org.keepwatch.agent.StateSnapshot;
import org.keepwatch.agent.VipPresence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The agent's words (protocol records) into the fleet's (observations of one node). */
final class AgentTranslation {

    private static final double NANOS_PER_SECOND = 1e9;

    private AgentTranslation() {
    }

    static NodeReport report(String node, StateSnapshot snapshot, Instant takenAt) {
        List<DaemonObservation> daemons = new ArrayList<>();
        List<InstanceObservation> instances = new ArrayList<>();
        for (DaemonState daemon : snapshot.daemons()) {
            daemons.add(daemon(node, daemon));
            String netns = daemon.netns().orElse("");
            daemon.instances().forEach(i -> instances.add(instance(node, daemon.name(), netns, i)));
        }
        List<VipObservation> vips = new ArrayList<>();
        snapshot.vipsPresent().forEach(v -> vips.add(vip(node, v)));
        for (VipPresence orphan : snapshot.orphans()) {
            if (vips.stream().noneMatch(v -> v.address().equals(orphan.address()) && v.netns().equals(orphan.netns().orElse("")))) {
                vips.add(vip(node, orphan));
            }
        }
        return new NodeReport(node, takenAt, daemons, instances, vips);
    }

    static DaemonObservation daemon(String node, DaemonState daemon) {
        DaemonStatus status = DaemonStatus.of(daemon.alive(), daemon.responsive(), daemon.stoppedReason());
        return new DaemonObservation(node, daemon.name(), daemon.netns().orElse(""), status,
                daemon.error().map(DaemonState.DumpError::describe), daemon.maintenance().map(AgentTranslation::maintenance),
                new DaemonKind(daemon.version(), daemon.ownRoot().orElse(true), daemon.neutronRouter()));
    }

    static MaintenanceWeight maintenance(MaintenanceRecord record) {
        Map<String, String> unwired = new LinkedHashMap<>();
        record.unwired().forEach(u -> unwired.put(u.instance(), u.reason()));
        return new MaintenanceWeight(record.refusal(), record.trackFile(), record.wired(), unwired, record.drained(),
                record.since().map(AgentTranslation::instant), record.by(), record.reason(),
                record.error().or(record::wiringError), record.method().flatMap(MaintenanceWeight.Method::of));
    }

    static InstanceObservation instance(String node, String daemon, String netns, InstanceState state) {
        return new InstanceObservation(node, daemon, netns, state.instance(), state.vrid(),
                state.interfaceName().orElse(""), VrrpState.parse(state.state()), state.basePriority(),
                state.effectivePriority(), addresses(state.vips()), addresses(state.excludedVips()), state.advertInt(),
                state.version(), state.authType().orElse("none"), state.nopreempt(), addresses(state.unicastPeers()),
                state.lastTransition().filter(t -> t > 0).map(AgentTranslation::instant),
                new InstanceStats(state.stat("advert_sent"), state.stat("advert_rcvd"), state.stat("become_master"),
                        state.stat("release_master"), state.stat("auth_failure")),
                new InstanceShape(state.vmacInterface(), state.trackInterfaces(), state.trackScripts(), state.syncGroup(),
                        state.preemptDelay()));
    }

    static VipObservation vip(String node, VipPresence vip) {
        return new VipObservation(node, vip.netns().orElse(""), vip.address(), vip.ifname().orElse(""), vip.daemon(),
                vip.instance(), vip.orphan());
    }

    static InstanceObservation instance(String node, AgentEvent.State event) {
        return instance(node, event.daemon(), event.netns().orElse(""), event.instance());
    }

    /**
     * Actions: started, restarted, vrrp_started, vrrp_restarted, responsive (running); unresponsive, vrrp_exited
     * (hung); stopped; died; not_visible (an agent that is not root cannot see it); configured (a configuration no daemon runs: stopped, or dead when its pid file was
     * left). unconfigured is not a status: the daemon is gone (see {@link #isGone}).
     */
    static DaemonObservation daemon(String node, AgentEvent.Daemon event) {
        DaemonStatus status = switch (event.action()) {
            case "stopped" -> DaemonStatus.STOPPED;
            case "died" -> DaemonStatus.DEAD;
            case DaemonStatus.NOT_VISIBLE_REASON -> DaemonStatus.NOT_VISIBLE;
            case "configured" -> DaemonStatus.of(false, false, event.stoppedReason());
            case "unresponsive", "vrrp_exited" -> DaemonStatus.HUNG;
            default -> DaemonStatus.RUNNING;
        };
        return new DaemonObservation(node, event.daemon(), "", status, event.message());
    }

    /** The daemon and its configuration are gone from the node: nothing of it is to be shown any more. */
    static boolean isGone(AgentEvent.Daemon event) {
        return event.action().equals("unconfigured");
    }

    /** "10.0.0.1/24 dev eth0" and "10.0.0.1/24" both give "10.0.0.1". */
    static List<String> addresses(List<String> specs) {
        return specs.stream().map(s -> s.trim().split("\\s+")[0]).map(s -> s.contains("/") ? s.substring(0, s.indexOf('/')) : s)
                .toList();
    }

    static Instant instant(double epochSeconds) {
        long nanos = Math.round(epochSeconds * NANOS_PER_SECOND);
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }
}
