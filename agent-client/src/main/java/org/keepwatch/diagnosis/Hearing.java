package org.keepwatch.diagnosis;

import java.util.OptionalInt;

/**
 * Whether one member heard another's adverts during the window.
 *
 * @param sender a member's node name, or a stranger's address
 * @param priority the priority its adverts carried, when heard
 */
public record Hearing(String listener, String sender, boolean stranger, long packets, OptionalInt priority) {

    public boolean heard() {
        return packets > 0;
    }
}
