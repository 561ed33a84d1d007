package org.keepwatch.app;

import org.keepwatch.fleet.ConnectionState;
import org.keepwatch.fleet.FleetEvent;
import org.keepwatch.fleet.InstanceObservation;
import org.keepwatch.fleet.NodeStatus;
import org.keepwatch.fleet.Observations;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.VrrpState;
import org.keepwatch.history.HistoryEvent;
import org.keepwatch.history.HistorySettings;
import org.keepwatch.history.HistoryStore;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A day of a lab's history in a real store, as the fleet engine and the app tell it: VI_1 (VRID 51) on n1 and n2
 * swapping master every hour, ten other routers flapping every minute (so a router's timeline must use the router
 * index), n2 not connected from 10:10 to 10:40, Keepwatch closed from 14:00 to 15:00, and a split brain at 20:30.
 */
public final class HistoryDay {

    public static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
    public static final RouterKey VI_1 = new RouterKey(RouterKey.Kind.VRRP, "lab", "51");
    public static final String VIP = "10.77.0.101";

    private HistoryDay() {
    }

    public static Instant at(String clock) {
        return Instant.parse("2026-11-20T" + clock + "Z");
    }

    /** n1's state in VI_1 during hour {@code h}: MASTER in even hours, BACKUP in odd ones; n2 the other. */
    public static VrrpState n1(int hour) {
        return hour % 2 == 0 ? VrrpState.MASTER : VrrpState.BACKUP;
    }

    public static HistoryStore fill(Path directory) {
        HistoryStore store = HistoryStore.openNow(HistorySettings.of(directory.resolve("history.db").toString()), Clock.systemUTC());
        for (String node : new String[] {"n1", "n2"}) {
            connection(store, DAY, node, ConnectionState.CONNECTING);
            connection(store, DAY.plusSeconds(1), node, ConnectionState.ONLINE);
        }
        firstSight(store, DAY.plusSeconds(2), 0);
        for (int hour = 1; hour < 24; hour++) {
            if (hour == 14) {
                for (String node : new String[] {"n1", "n2"}) {
                    store.record(HistoryEvent.of(at("14:00:00"), HistoryEvent.Kind.CONNECTION, node,
                            node + " no longer watched: Keepwatch closed").withStates("ONLINE", "CLOSED"));
                }
                continue;
            }
            if (hour == 15) {
                for (String node : new String[] {"n1", "n2"}) {
                    connection(store, at("15:00:00"), node, ConnectionState.CONNECTING);
                    connection(store, at("15:00:01"), node, ConnectionState.ONLINE);
                }
                firstSight(store, at("15:00:02"), 15);
                continue;
            }
            Instant on = DAY.plus(Duration.ofHours(hour));
            change(store, on, "n1", n1(hour - 1), n1(hour));
            change(store, on, "n2", other(n1(hour - 1)), other(n1(hour)));
            if (hour == 10) {
                connection(store, at("10:10:00"), "n2", ConnectionState.OFFLINE);
                connection(store, at("10:40:00"), "n2", ConnectionState.CONNECTING);
                connection(store, at("10:40:01"), "n2", ConnectionState.ONLINE);
            }
        }
        change(store, at("20:30:00"), "n2", VrrpState.BACKUP, VrrpState.MASTER);
        change(store, at("20:31:00"), "n2", VrrpState.MASTER, VrrpState.BACKUP);
        // the noise: ten other routers flapping every minute all day
        for (int minute = 0; minute < 24 * 60; minute++) {
            Instant on = DAY.plus(Duration.ofMinutes(minute)).plusMillis(500);
            for (int vrid = 60; vrid < 70; vrid++) {
                RouterKey key = new RouterKey(RouterKey.Kind.VRRP, "lab", Integer.toString(vrid));
                VrrpState before = minute % 2 == 0 ? VrrpState.BACKUP : VrrpState.MASTER;
                VrrpState after = minute % 2 == 0 ? VrrpState.MASTER : VrrpState.BACKUP;
                store.event(new FleetEvent.InstanceChanged(on, key, Optional.of(instance("n1", "VI_" + vrid, vrid, before)),
                        instance("n1", "VI_" + vrid, vrid, after), "flap"));
            }
        }
        store.flush(Duration.ofSeconds(60));
        return store;
    }

    private static VrrpState other(VrrpState state) {
        return state == VrrpState.MASTER ? VrrpState.BACKUP : VrrpState.MASTER;
    }

    private static void firstSight(HistoryStore store, Instant on, int hour) {
        store.event(new FleetEvent.InstanceChanged(on, VI_1, Optional.empty(), instance("n1", "VI_1", 51, n1(hour)), "snapshot"));
        store.event(new FleetEvent.InstanceChanged(on, VI_1, Optional.empty(), instance("n2", "VI_1", 51, other(n1(hour))), "snapshot"));
    }

    private static void change(HistoryStore store, Instant on, String node, VrrpState from, VrrpState to) {
        store.event(new FleetEvent.InstanceChanged(on, VI_1, Optional.of(instance(node, "VI_1", 51, from)),
                instance(node, "VI_1", 51, to), "advert"));
    }

    private static void connection(HistoryStore store, Instant on, String node, ConnectionState state) {
        store.event(new FleetEvent.NodeChanged(on, new NodeStatus(node, state, on, Optional.empty(), Optional.of("2.2.7"),
                Optional.of("0.1.0"))));
    }

    public static InstanceObservation instance(String node, String name, int vrid, VrrpState state) {
        return Observations.instance(node, name, vrid, state, node.equals("n1") ? 150 : 100, VIP);
    }
}
