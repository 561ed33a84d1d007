package org.keepwatch.history;

import java.util.Optional;

/**
 * A kept configuration version with where it came from, as the configuration history shows it: the push (or backup
 * restore) that wrote it, with the operator, workstation and reason the history kept of that action; a change made on
 * the node outside Keepwatch; or the text Keepwatch found there when it first read the file.
 *
 * @param operator {@code user@workstation} of the push or restore that wrote it
 * @param reason   the reason given with that push or restore (empty when none was given or the action is no longer kept)
 * @param event    the history's event of that push, restore or hand edit (its id), while it is kept
 */
public record ConfigChange(ConfigVersion version, Origin origin, Optional<String> operator, Optional<String> reason,
                           Optional<Long> event) {

    /** Where a version came from. */
    public enum Origin {
        /** Written by a push through Keepwatch (a restore of a kept version is one too). */
        PUSH,
        /** Written by putting one of the agent's backups back. */
        RESTORE,
        /** Changed on the node outside Keepwatch (noticed at connect or by the periodic read). */
        OUTSIDE,
        /** The text Keepwatch found when it first read the file. */
        FIRST_SEEN
    }

    /** The length of a short hash, as the hand-edit events and the windows show one. */
    public static final int SHORT_HASH = 12;

    public ConfigChange {
        operator = operator == null ? Optional.empty() : operator;
        reason = reason == null ? Optional.empty() : reason;
        event = event == null ? Optional.empty() : event;
    }

    public String shortHash() {
        return version.sha256().substring(0, Math.min(SHORT_HASH, version.sha256().length()));
    }

    /** Who made it, in words: "alice@desk-7", "changed outside Keepwatch", "first seen at connect". */
    public String who() {
        return switch (origin) {
            case PUSH, RESTORE -> operator.orElse("Keepwatch (who is no longer kept)");
            case OUTSIDE -> "changed outside Keepwatch";
            case FIRST_SEEN -> "first seen at connect";
        };
    }

    /** How it was made, in a word or two: "push", "backup restored", "hand edit", "first read". */
    public String how() {
        return switch (origin) {
            case PUSH -> "push";
            case RESTORE -> "backup restored";
            case OUTSIDE -> "hand edit";
            case FIRST_SEEN -> "first read";
        };
    }

    static Origin originOf(String source) {
        return switch (source) {
            case "keepwatch" -> Origin.PUSH;
            case "outside" -> Origin.OUTSIDE;
            default -> Origin.FIRST_SEEN;
        };
    }
}
