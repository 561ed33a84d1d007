package org.keepwatch.config;

import java.util.ArrayList;
import java.util.List;

/** Collects findings about routers, each naming the member and instance it points into. */
final class PeerFindings {
    private final List<PeerFinding> found = new ArrayList<>();

    /** A finding in the member's file at the given statement, its message prefixed by the instance name like lint's. */
    void add(DiagnosticCode code, PeerRouter router, PeerRouter.Member member, Statement at, String message) {
        found.add(new PeerFinding(member.name(), router.label(),
            code.at(at.location(), "(" + member.instance().name() + ") " + message)));
    }

    /** A finding about a member that has no statement to point at: its main file, line 1. */
    void addToFile(DiagnosticCode code, PeerRouter router, PeerMember member, String message) {
        found.add(new PeerFinding(member.name(), router.label(), code.at(new Location(member.mainFile(), 1, 1), message)));
    }

    List<PeerFinding> all() {
        return found;
    }
}
