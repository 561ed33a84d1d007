package org.keepwatch.app.bench.soak;

import org.keepwatch.lab.Lab;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * One fault of the chaos soak on some of the lab's nodes. A lasting fault stays until the lab is healed; a passing
 * one (sshd restarted, the agents killed) is made and over at once, and Keepwatch has to find its way back.
 */
record SoakFault(Kind kind, List<String> nodes) {

    static final List<String> BASIC = List.of("n1", "n2", "n3");
    static final List<String> NEUTRON = List.of("net1", "net2");

    enum Kind {
        STOP(true), CRASH(true), HANG(true), CUT(true), PARTITION(true), SSHD_DOWN(true),
        SSHD_RESTARTED(false), AGENT_KILLED(false);

        final boolean lasting;

        Kind(boolean lasting) {
            this.lasting = lasting;
        }
    }

    SoakFault {
        nodes = List.copyOf(nodes);
    }

    /** One fault on nodes none of {@code taken} (so two faults of one round never undo each other). */
    static SoakFault random(Random random, List<String> taken) {
        Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
        List<String> free = new ArrayList<>(random.nextBoolean() ? BASIC : NEUTRON);
        free.removeAll(taken);
        if (kind == Kind.PARTITION) {
            // Isolated ports stop hearing each other only: two or more nodes of one topology.
            List<String> group = new ArrayList<>(free);
            Collections.shuffle(group, random);
            int size = group.size() < 2 ? 0 : 2 + random.nextInt(group.size() - 1);
            return size == 0 ? random(random, taken) : new SoakFault(kind, group.subList(0, size));
        }
        if (free.isEmpty()) {
            return random(random, taken);
        }
        return new SoakFault(kind, List.of(free.get(random.nextInt(free.size()))));
    }

    boolean lasting() {
        return kind.lasting;
    }

    /**
     * A node a lasting fault leaves down or unreadable: its routers may be anything but HEALTHY. A partition leaves
     * every node readable and running (the workstation's port is not isolated): the lab's truth says it all, and a
     * router whose isolated members all hear a master that is not isolated is simply healthy.
     */
    boolean touches(String node) {
        return kind.lasting && kind != Kind.PARTITION && nodes.contains(node);
    }

    /** A node a lasting fault leaves unreadable to Keepwatch (no SSH to it): what it says of it is STALE at best. */
    boolean hides(String node) {
        return (kind == Kind.CUT || kind == Kind.SSHD_DOWN) && nodes.contains(node);
    }

    void inject(Lab lab) {
        switch (kind) {
            case STOP -> fail(lab, "stop");
            case CRASH -> fail(lab, "crash");
            case HANG -> fail(lab, "hang");
            case CUT -> fail(lab, "cut");
            case PARTITION -> fail(lab, "partition");
            case SSHD_DOWN -> fail(lab, "sshd");
            case SSHD_RESTARTED -> {
                fail(lab, "sshd");
                List<String> args = new ArrayList<>(List.of("sshd"));
                args.addAll(nodes);
                args.add("--undo");
                lab.ok("fail", args.toArray(String[]::new));
            }
            case AGENT_KILLED -> nodes.forEach(node -> lab.run("exec", node, "pkill", "-KILL", "-f", "keepwatch/agent-"));
        }
    }

    private void fail(Lab lab, String fault) {
        List<String> args = new ArrayList<>(List.of(fault));
        args.addAll(nodes);
        lab.ok("fail", args.toArray(String[]::new));
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase().replace('_', ' ') + " " + String.join(",", nodes);
    }
}
