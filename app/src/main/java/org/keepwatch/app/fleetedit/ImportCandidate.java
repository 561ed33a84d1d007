package org.keepwatch.app.fleetedit;

import org.keepwatch.fleet.ConnectionSettings;

import java.util.List;

/**
 * A node an import offers: its name, the settings that will be written for it, the groups its source put it in
 * (most specific first), what it connects to, and what was left out and why.
 */
public record ImportCandidate(String name, ConnectionSettings settings, List<String> groups, String connectsTo,
                              List<String> notes) {

    public ImportCandidate {
        groups = List.copyOf(groups);
        notes = List.copyOf(notes);
    }
}
