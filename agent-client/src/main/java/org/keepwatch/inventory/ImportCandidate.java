package org.keepwatch.inventory;

import org.keepwatch.fleet.ConnectionSettings;

import java.util.List;

/**
 * A node an import offers: its name, the settings that will be written for it, the groups its source put it in
 * (most specific first), what it connects to, what was left out and why, and whether Keepwatch would refuse to
 * connect to it as its source says (offered unticked, the reason in its notes).
 */
public record ImportCandidate(String name, ConnectionSettings settings, List<String> groups, String connectsTo,
                              List<String> notes, boolean refused) {

    public ImportCandidate {
        groups = List.copyOf(groups);
        notes = List.copyOf(notes);
    }

    /** A candidate Keepwatch can connect to. */
    public ImportCandidate(String name, ConnectionSettings settings, List<String> groups, String connectsTo,
                           List<String> notes) {
        this(name, settings, groups, connectsTo, notes, false);
    }
}
