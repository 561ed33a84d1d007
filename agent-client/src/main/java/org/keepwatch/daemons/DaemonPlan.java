package org.keepwatch.daemons;

import org.keepwatch.fleet.RouterStatus;

import java.util.List;

/**
 * What a daemon action would do before it is done: the node, the daemon, the action, and the routers that would be
 * left with no master because the daemon's member is the last live one of each (a stop or restart only). Such a
 * plan runs only with a confirmation naming every one of those routers ({@link DaemonControl#run}).
 */
public record DaemonPlan(String node, String daemon, DaemonAction action, List<RouterStatus> leftWithoutMaster) {

    public DaemonPlan {
        leftWithoutMaster = List.copyOf(leftWithoutMaster);
    }

    public boolean needsConfirmation() {
        return !leftWithoutMaster.isEmpty();
    }

    public List<String> routerNames() {
        return leftWithoutMaster.stream().map(RouterStatus::name).toList();
    }

    /** The plan in words, as the CLI prints it and the app's dialog says it. */
    public String describe() {
        String what = action.word() + " " + label() + " on " + node;
        if (!needsConfirmation()) {
            return what + (action.takesMembersDown() ? ": every router it is a member of keeps another live member" : "");
        }
        return what + ": " + (leftWithoutMaster.size() == 1 ? "router " : "routers ") + String.join(", ", routerNames())
                + (leftWithoutMaster.size() == 1 ? " has" : " have") + " no other live member and will have no master"
                + (action == DaemonAction.RESTART ? " until keepalived is back" : "");
    }

    private String label() {
        return daemon.equals("keepalived") ? "keepalived" : "keepalived " + daemon;
    }
}
