package org.keepwatch.fleet;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every instance on every node, grouped into VRRP routers with their verdicts, a bounded transition
 * history per instance, and one stream of events for the UI and the CLI.
 *
 * <p>Node supervisors feed it from their I/O threads; readers take immutable views. All methods
 * are synchronized: updates are small (one node, its few routers), so one lock is simpler than
 * anything finer and fast enough for 1,000 events a second.
 *
 * <p>Alarming verdicts (split brain, orphan VIP, no master) are raised only after they held for
 * {@link FleetSettings#confirmAfter()}; {@link #tick()} confirms them when no other event comes.
 */
public final class FleetState {

    private final Clock clock;
    private final FleetSettings settings;
    private final FleetJournal journal;
    private final Map<String, NodeEntry> nodes = new TreeMap<>();
    private final Map<RouterKey, RouterEntry> routers = new TreeMap<>();
    // Indexes, so one event costs the size of its router, not of the fleet.
    private final Map<String, Set<String>> nodesByGroup = new HashMap<>();
    private final Map<String, Set<RouterKey>> routersByVip = new HashMap<>();
    private final ArrayDeque<FleetEvent> events = new ArrayDeque<>();
    private boolean overflowed;

    public FleetState(Clock clock, FleetSettings settings) {
        this(clock, settings, FleetJournal.NONE);
    }

    /** @param journal hears every event as it is emitted, drained or not (the history) */
    public FleetState(Clock clock, FleetSettings settings, FleetJournal journal) {
        this.clock = Objects.requireNonNull(clock);
        this.settings = Objects.requireNonNull(settings);
        this.journal = Objects.requireNonNull(journal);
    }

    // ---- membership of the fleet -------------------------------------------------------------

    /** Adds a node (or moves it to another group); its state arrives from its supervisor. */
    public synchronized void addNode(String node, String group) {
        NodeEntry entry = nodes.get(node);
        if (entry == null) {
            entry = new NodeEntry(node, group, NodeStatus.connecting(node, clock.instant()));
            nodes.put(node, entry);
            nodesByGroup.computeIfAbsent(group, g -> new TreeSet<>()).add(node);
            emit(new FleetEvent.NodeChanged(entry.status.since(), entry.status));
            return;
        }
        if (!entry.group.equals(group)) {
            Set<RouterKey> affected = routersOf(entry);
            nodesByGroup.getOrDefault(entry.group, new TreeSet<>()).remove(node);
            entry.group = group;
            nodesByGroup.computeIfAbsent(group, g -> new TreeSet<>()).add(node);
            affected.addAll(routersOf(entry));
            regroup(entry);
            refresh(affected);
        }
    }

    public synchronized void removeNode(String node) {
        NodeEntry entry = nodes.remove(node);
        if (entry != null) {
            nodesByGroup.getOrDefault(entry.group, new TreeSet<>()).remove(node);
            Set<RouterKey> affected = routersOf(entry);
            affected.forEach(key -> routers.get(key).members.removeIf(id -> id.node().equals(node)));
            refresh(affected);
        }
    }

    // ---- what the supervisors report ------------------------------------------------------------

    public synchronized void nodeStatus(NodeStatus status) {
        NodeEntry entry = nodes.get(status.node());
        if (entry == null || entry.status.equals(status)) {
            return;
        }
        boolean currentChanged = entry.status.connection().current() != status.connection().current();
        entry.status = status;
        emit(new FleetEvent.NodeChanged(clock.instant(), status));
        if (currentChanged) {
            Set<RouterKey> affected = routersOf(entry);
            if (!entry.reported) {
                affected.addAll(routersOfGroup(entry.group));
            }
            refresh(affected);
        }
    }

    /** A full snapshot of a node: replaces everything known about it. */
    public synchronized void applyReport(NodeReport report) {
        NodeEntry entry = nodes.get(report.node());
        if (entry == null) {
            return;
        }
        Set<RouterKey> affected = routersOf(entry);
        if (!entry.reported) {
            entry.reported = true;
            affected.addAll(routersOfGroup(entry.group));
        }
        Map<String, DaemonObservation> before = new HashMap<>(entry.daemons);
        entry.daemons.clear();
        report.daemons().forEach(d -> entry.daemons.put(d.name(), d));
        if (!before.equals(entry.daemons)) {
            emit(new FleetEvent.DaemonsChanged(report.takenAt(), entry.name, daemonsOf(entry)));
        }
        entry.vips.clear();
        report.vips().forEach(v -> entry.vips.put(vipKey(v.netns(), v.address()), v));
        Set<InstanceId> reported = new HashSet<>();
        for (InstanceObservation observation : report.instances()) {
            reported.add(observation.id());
            // A stopped or dead daemon's instances (claimed by its configuration) are down, whatever was last said.
            InstanceObservation down = downState(entry, observation.daemon())
                    .map(observation::withState).orElse(observation);
            affected.add(record(entry, down, "snapshot", report.takenAt()));
        }
        // Instances the node no longer reports: their daemon stopped (kept, as STOP) or they were removed.
        for (InstanceEntry instance : new ArrayList<>(entry.instances.values())) {
            if (reported.contains(instance.latest.id())) {
                continue;
            }
            DaemonObservation daemon = entry.daemons.get(instance.latest.daemon());
            VrrpState down = downState(entry, instance.latest.daemon()).orElse(VrrpState.STOP);
            if (daemon != null && daemon.alive()) {
                affected.add(forget(entry, instance)); // its daemon runs without it: removed from the config
            } else if (instance.latest.state() != down) {
                // Its daemon is gone or stopped: the member is down, not gone from the router.
                affected.add(record(entry, instance.latest.withState(down), "daemon " + describe(daemon), report.takenAt()));
            }
        }
        affected.addAll(routersOf(entry));
        refresh(affected);
    }

    /** One instance changed (the agent's state event). */
    public synchronized void applyInstance(InstanceObservation observation, String cause) {
        NodeEntry entry = nodes.get(observation.node());
        if (entry == null) {
            return;
        }
        Set<RouterKey> affected = new HashSet<>();
        if (observation.state() == VrrpState.DELETED) {
            InstanceEntry instance = entry.instances.get(observation.id());
            if (instance != null) {
                affected.add(forget(entry, instance));
            }
        } else {
            affected.add(record(entry, observation, cause, clock.instant()));
        }
        refresh(affected);
    }

    /** A VIP appeared on or left an interface of a node (the agent's vip event). */
    public synchronized void applyVip(VipObservation vip, boolean present) {
        NodeEntry entry = nodes.get(vip.node());
        if (entry == null) {
            return;
        }
        String key = vipKey(vip.netns(), vip.address());
        boolean changed = present ? !vip.equals(entry.vips.put(key, vip)) : entry.vips.remove(key) != null;
        if (changed) {
            refresh(routersWithVip(vip.address()));
        }
    }

    /** A daemon started, stopped, died, stopped answering or answered again. */
    public synchronized void applyDaemon(DaemonObservation daemon) {
        NodeEntry entry = nodes.get(daemon.node());
        if (entry == null) {
            return;
        }
        DaemonObservation known = entry.daemons.get(daemon.name());
        if (daemon.maintenance().isEmpty() && known != null) {
            daemon = daemon.withMaintenance(known.maintenance()); // a daemon event says nothing of it: kept
        }
        if (daemon.kind().equals(DaemonKind.UNKNOWN) && known != null) {
            daemon = daemon.withKind(known.kind());               // nor of its kind: kept
        }
        if (!daemon.equals(entry.daemons.put(daemon.name(), daemon))) {
            emit(new FleetEvent.DaemonsChanged(clock.instant(), entry.name, daemonsOf(entry)));
        }
        Set<RouterKey> affected = new HashSet<>();
        Optional<VrrpState> down = downState(entry, daemon.name());
        if (down.isPresent()) {
            for (InstanceEntry instance : new ArrayList<>(entry.instances.values())) {
                if (instance.latest.daemon().equals(daemon.name()) && instance.latest.state() != down.get()) {
                    affected.add(record(entry, instance.latest.withState(down.get()), "daemon " + describe(daemon),
                            clock.instant()));
                }
            }
        }
        affected.addAll(routersOf(entry));
        refresh(affected);
    }

    /** A daemon's maintenance weight changed (the agent's maintenance event, or the answer to a drain). */
    public synchronized void applyMaintenance(String node, String daemonName, MaintenanceWeight weight) {
        NodeEntry entry = nodes.get(node);
        DaemonObservation known = entry == null ? null : entry.daemons.get(daemonName);
        if (known == null || known.maintenance().equals(Optional.of(weight))) {
            return;
        }
        entry.daemons.put(daemonName, known.withMaintenance(Optional.of(weight)));
        emit(new FleetEvent.DaemonsChanged(clock.instant(), entry.name, daemonsOf(entry)));
        refresh(routersOf(entry));
    }

    /** A daemon and its configuration are gone from a node: its instances leave their routers. */
    /** A daemon's configuration changed on its node (its agent's config event): told on, nothing else changes. */
    public synchronized void configChanged(String node, String daemonName) {
        if (nodes.containsKey(node)) {
            emit(new FleetEvent.ConfigChanged(clock.instant(), node, daemonName));
        }
    }

    public synchronized void removeDaemon(String node, String daemonName) {
        NodeEntry entry = nodes.get(node);
        if (entry == null || entry.daemons.remove(daemonName) == null) {
            return;
        }
        emit(new FleetEvent.DaemonsChanged(clock.instant(), entry.name, daemonsOf(entry)));
        Set<RouterKey> affected = new HashSet<>();
        for (InstanceEntry instance : new ArrayList<>(entry.instances.values())) {
            if (instance.latest.daemon().equals(daemonName)) {
                affected.add(forget(entry, instance));
            }
        }
        refresh(affected);
    }

    /** Confirms alarming verdicts whose hold-down has passed; call a few times a second. */
    public synchronized void tick() {
        Instant now = clock.instant();
        for (RouterEntry router : routers.values()) {
            if (router.pending != null && !now.isBefore(router.pendingSince.plus(settings.confirmAfter()))) {
                publishVerdict(router, now);
            }
        }
    }

    /**
     * When the last alarm now held back will be raised if it lasts (each waits {@link FleetSettings#confirmAfter()});
     * empty when no verdict is waiting, so every published verdict is what the routers say now.
     */
    public synchronized Optional<Instant> alarmsHeldUntil() {
        return routers.values().stream().filter(r -> r.pending != null)
                .map(r -> r.pendingSince.plus(settings.confirmAfter())).max(Comparator.naturalOrder());
    }

    // ---- views ----------------------------------------------------------------------------------

    public synchronized List<RouterStatus> routers() {
        return routers.values().stream().map(r -> r.view).filter(Objects::nonNull).toList();
    }

    public synchronized Optional<RouterStatus> router(RouterKey key) {
        return Optional.ofNullable(routers.get(key)).map(r -> r.view);
    }

    public synchronized List<NodeStatus> nodes() {
        return nodes.values().stream().map(n -> n.status).toList();
    }

    /**
     * Why nothing can be changed on this node, in words, while its agent runs without root (a login without sudo,
     * ADR 0014); empty for a node whose agent is root, or not in the fleet.
     */
    public synchronized Optional<String> readOnly(String node) {
        NodeEntry entry = nodes.get(node);
        return entry == null ? Optional.empty() : entry.status.readOnly();
    }

    /** The keepalived daemons a node's agent last reported, by name (empty before its first snapshot). */
    public synchronized List<DaemonObservation> daemons(String node) {
        NodeEntry entry = nodes.get(node);
        return entry == null ? List.of() : daemonsOf(entry);
    }

    private static List<DaemonObservation> daemonsOf(NodeEntry entry) {
        return entry.daemons.values().stream().sorted(Comparator.comparing(DaemonObservation::name)).toList();
    }

    /** Every instance on every node with whether its state is current. */
    public synchronized List<RouterMember> instances() {
        List<RouterMember> result = new ArrayList<>();
        for (NodeEntry node : nodes.values()) {
            for (InstanceEntry instance : node.instances.values()) {
                result.add(member(node, instance));
            }
        }
        return result;
    }

    public synchronized List<Transition> history(InstanceId instance) {
        NodeEntry node = nodes.get(instance.node());
        InstanceEntry entry = node == null ? null : node.instances.get(instance);
        return entry == null ? List.of() : List.copyOf(entry.history);
    }

    /** The events since the last call, oldest first. */
    public synchronized EventBatch drainEvents() {
        EventBatch batch = new EventBatch(List.copyOf(events), overflowed);
        events.clear();
        overflowed = false;
        return batch;
    }

    // ---- internals ------------------------------------------------------------------------------

    private RouterKey record(NodeEntry node, InstanceObservation observation, String cause, Instant at) {
        RouterKey key = RouterKey.of(observation, node.group);
        InstanceEntry instance = node.instances.get(observation.id());
        Optional<InstanceObservation> before = Optional.empty();
        if (instance == null) {
            instance = new InstanceEntry(observation, key);
            node.instances.put(observation.id(), instance);
        } else {
            before = Optional.of(instance.latest);
            if (!instance.router.equals(key)) {
                detach(instance);
                instance.router = key;
            }
            instance.latest = observation;
        }
        instance.lastSeen = at;
        routers.computeIfAbsent(key, RouterEntry::new).members.add(observation.id());
        boolean stateChanged = before.map(b -> b.state() != observation.state()).orElse(true);
        if (stateChanged) {
            instance.history.addLast(new Transition(at, observation.id(),
                    before.map(InstanceObservation::state).orElse(VrrpState.UNKNOWN), observation.state(),
                    observation.effectivePriority(), cause));
            while (instance.history.size() > settings.historyLimit()) {
                instance.history.removeFirst();
            }
        }
        if (before.isEmpty() || !before.get().equals(observation)) {
            emit(new FleetEvent.InstanceChanged(at, key, before, observation, cause));
        }
        return key;
    }

    private RouterKey forget(NodeEntry node, InstanceEntry instance) {
        node.instances.remove(instance.latest.id());
        detach(instance);
        emit(new FleetEvent.InstanceRemoved(clock.instant(), instance.router, instance.latest.id()));
        return instance.router;
    }

    private void detach(InstanceEntry instance) {
        RouterEntry router = routers.get(instance.router);
        if (router != null) {
            router.members.remove(instance.latest.id());
        }
    }

    private void regroup(NodeEntry node) {
        for (InstanceEntry instance : node.instances.values()) {
            RouterKey key = RouterKey.of(instance.latest, node.group);
            if (!key.equals(instance.router)) {
                detach(instance);
                instance.router = key;
                routers.computeIfAbsent(key, RouterEntry::new).members.add(instance.latest.id());
            }
        }
    }

    private Set<RouterKey> routersOf(NodeEntry node) {
        Set<RouterKey> keys = new HashSet<>();
        node.instances.values().forEach(i -> keys.add(i.router));
        return keys;
    }

    private Set<RouterKey> routersWithVip(String address) {
        return new HashSet<>(routersByVip.getOrDefault(address, Set.of()));
    }

    private void indexVips(RouterEntry router, List<String> vips) {
        for (String old : router.vips) {
            Set<RouterKey> keys = routersByVip.get(old);
            if (keys != null) {
                keys.remove(router.key);
                if (keys.isEmpty()) {
                    routersByVip.remove(old);
                }
            }
        }
        for (String vip : vips) {
            routersByVip.computeIfAbsent(vip, v -> new HashSet<>()).add(router.key);
        }
    }

    private void refresh(Set<RouterKey> keys) {
        Instant now = clock.instant();
        for (RouterKey key : keys) {
            RouterEntry router = routers.get(key);
            if (router == null) {
                continue;
            }
            if (router.members.isEmpty()) {
                routers.remove(key);
                indexVips(router, List.of());
                if (router.view != null) {
                    if (router.published.alarming()) {
                        emit(new FleetEvent.Alarm(now, key, router.published, false, List.of("the router is gone")));
                    }
                    emit(new FleetEvent.RouterRemoved(now, key));
                }
                continue;
            }
            evaluate(router, now);
        }
    }

    private void evaluate(RouterEntry router, Instant now) {
        List<RouterMember> members = new ArrayList<>();
        List<String> vips = new ArrayList<>();
        String name = "";
        int vrid = 0;
        for (InstanceId id : router.members) {
            NodeEntry node = nodes.get(id.node());
            InstanceEntry instance = node == null ? null : node.instances.get(id);
            if (instance == null) {
                continue;
            }
            members.add(member(node, instance));
            instance.latest.vips().stream().filter(v -> !vips.contains(v)).forEach(vips::add);
            name = instance.latest.name();
            vrid = instance.latest.vrid();
        }
        members.sort(Comparator.comparing(RouterMember::node, FleetState::naturalOrder));
        Map<String, List<String>> holders = new LinkedHashMap<>();
        for (String vip : vips) {
            holders.put(vip, holdersOf(router.key, vip));
        }
        VerdictRules.Assessment assessment = VerdictRules.assess(members, holders, neverRead(router.key, members));
        router.assessment = assessment;
        router.memberViews = members;
        indexVips(router, vips);
        router.vips = vips;
        router.holders = holders;
        router.name = name;
        router.vrid = vrid;
        Verdict raw = assessment.verdict();
        if (raw.alarming() && raw != router.published) {
            // Hold an alarm back until it lasts: a failover passes through such states briefly.
            if (router.pending != raw) {
                router.pending = raw;
                router.pendingSince = now;
            }
            if (now.isBefore(router.pendingSince.plus(settings.confirmAfter()))) {
                updateView(router, now, false);
                return;
            }
        } else {
            router.pending = null;
        }
        publishVerdict(router, now);
    }

    private void publishVerdict(RouterEntry router, Instant now) {
        Verdict raw = router.assessment.verdict();
        Verdict previous = router.published;
        router.pending = null;
        if (raw != previous) {
            if (previous.alarming()) {
                emit(new FleetEvent.Alarm(now, router.key, previous, false, router.assessment.reasons()));
            }
            if (raw.alarming()) {
                emit(new FleetEvent.Alarm(now, router.key, raw, true, router.assessment.reasons()));
            }
            router.published = raw;
            router.lastChange = now;
        }
        updateView(router, now, true);
    }

    private void updateView(RouterEntry router, Instant now, boolean withPublishedVerdict) {
        List<String> reasons = router.published == router.assessment.verdict() || withPublishedVerdict
                ? router.assessment.reasons() : router.view == null ? List.of() : router.view.reasons();
        RouterStatus view = new RouterStatus(router.key, router.name, router.vrid, router.vips, router.memberViews,
                router.holders, router.published, reasons, router.lastChange == null ? now : router.lastChange);
        if (!view.equals(router.view)) {
            router.view = view;
            emit(new FleetEvent.RouterChanged(now, view));
        }
    }

    private List<String> holdersOf(RouterKey key, String vip) {
        List<String> holders = new ArrayList<>();
        for (String name : nodesByGroup.getOrDefault(key.scope(), Set.of())) {
            NodeEntry node = nodes.get(name);
            if (node == null || !node.status.connection().current()) {
                continue;
            }
            String netns = key.kind() == RouterKey.Kind.NEUTRON ? "qrouter-" + key.id() : null;
            boolean present = node.vips.values().stream().anyMatch(v -> v.address().equals(vip)
                    && (netns == null ? !v.netns().startsWith("qrouter-") : v.netns().equals(netns)));
            if (present) {
                holders.add(node.name);
            }
        }
        holders.sort(FleetState::naturalOrder);
        return holders;
    }

    /**
     * Nodes of the router's group that have never been read (no snapshot yet: connecting, unreachable since
     * Keepwatch started, refused): any of them may run a member, even its master, so the router's verdict
     * cannot rest on the members seen (a master behind a dead sshd is not "no master").
     */
    private List<String> neverRead(RouterKey key, List<RouterMember> members) {
        return nodesByGroup.getOrDefault(key.scope(), Set.of()).stream()
                .filter(name -> nodes.containsKey(name) && !nodes.get(name).reported)
                .filter(name -> members.stream().noneMatch(m -> m.node().equals(name)))
                .sorted(FleetState::naturalOrder).toList();
    }

    /** Every router of a group: what a node's first snapshot, or its loss before one, may change. */
    private Set<RouterKey> routersOfGroup(String group) {
        Set<RouterKey> keys = new HashSet<>();
        routers.keySet().stream().filter(k -> k.scope().equals(group)).forEach(keys::add);
        return keys;
    }

    private RouterMember member(NodeEntry node, InstanceEntry instance) {
        DaemonObservation daemon = node.daemons.get(instance.latest.daemon());
        boolean current = node.status.connection().current();
        List<String> held = instance.latest.vips().stream()
                .filter(vip -> node.vips.containsKey(vipKey(instance.latest.netns(), vip))).toList();
        return new RouterMember(node.name, instance.latest, current, instance.lastSeen, held, Optional.ofNullable(daemon));
    }

    /**
     * The state every instance of a stopped or dead daemon is recorded with (history: the timeline shows it).
     * A hung daemon's instances keep what keepalived said last, since it may answer again without a change;
     * its members show HUNG all the same (see {@link RouterMember#state()}).
     */
    private static Optional<VrrpState> downState(NodeEntry node, String daemonName) {
        DaemonObservation daemon = node.daemons.get(daemonName);
        return daemon == null || daemon.alive() ? Optional.empty() : daemon.status().instanceState();
    }

    private static String describe(DaemonObservation daemon) {
        return daemon == null ? "gone" : daemon.status().describe();
    }

    private void emit(FleetEvent event) {
        journal.event(event);
        if (events.size() >= settings.eventLimit()) {
            events.removeFirst();
            overflowed = true;
        }
        events.addLast(event);
    }

    private static String vipKey(String netns, String address) {
        return netns + "|" + address;
    }

    /** n2 before n10. */
    static int naturalOrder(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int si = i;
                int sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && Character.isDigit(b.charAt(j))) {
                    j++;
                }
                // Leading zeros do not count ("007" = "7"); the longer run of digits is the larger number.
                si = skipZeros(a, si, i);
                sj = skipZeros(b, sj, j);
                int c = Integer.compare(i - si, j - sj);
                for (int k = 0; c == 0 && k < i - si; k++) {
                    c = Character.compare(a.charAt(si + k), b.charAt(sj + k));
                }
                if (c != 0) {
                    return c;
                }
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** The start of the digits from..end without their leading zeros, keeping the last digit. */
    private static int skipZeros(String s, int from, int end) {
        while (from < end - 1 && s.charAt(from) == '0') {
            from++;
        }
        return from;
    }

    private static final class NodeEntry {
        final String name;
        String group;
        NodeStatus status;
        final Map<InstanceId, InstanceEntry> instances = new LinkedHashMap<>();
        final Map<String, VipObservation> vips = new HashMap<>();
        final Map<String, DaemonObservation> daemons = new HashMap<>();
        /** Whether a snapshot of it has ever arrived: until then it may run members of any router of its group. */
        boolean reported;

        NodeEntry(String name, String group, NodeStatus status) {
            this.name = name;
            this.group = group;
            this.status = status;
        }
    }

    private static final class InstanceEntry {
        InstanceObservation latest;
        RouterKey router;
        Instant lastSeen;
        final ArrayDeque<Transition> history = new ArrayDeque<>();

        InstanceEntry(InstanceObservation latest, RouterKey router) {
            this.latest = latest;
            this.router = router;
        }
    }

    private static final class RouterEntry {
        final RouterKey key;
        final Set<InstanceId> members = new LinkedHashSet<>();
        VerdictRules.Assessment assessment;
        List<RouterMember> memberViews = List.of();
        List<String> vips = List.of();
        Map<String, List<String>> holders = Map.of();
        String name = "";
        int vrid;
        Verdict published = Verdict.HEALTHY;
        Verdict pending;
        Instant pendingSince;
        Instant lastChange;
        RouterStatus view;

        RouterEntry(RouterKey key) {
            this.key = key;
        }
    }
}
