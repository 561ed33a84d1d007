package org.keepwatch.app.common;

import org.keepwatch.fleet.ConnectionState;
import org.keepwatch.fleet.Verdict;
import org.keepwatch.fleet.VrrpState;
import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.material2.Material2AL;
import org.kordamp.ikonli.material2.Material2MZ;
import org.kordamp.ikonli.material2.Material2OutlinedAL;

import java.util.Locale;

/**
 * How each state looks: an icon whose shape differs per state (colour-blind operators tell them
 * apart by shape), a CSS class for the colour, and the word. One place, so every table agrees.
 */
public final class Presentation {

    public record Look(Ikon icon, String styleClass, String text) {
    }

    private Presentation() {
    }

    public static Look of(VrrpState state) {
        return switch (state) {
            case MASTER -> new Look(Material2MZ.STAR, "kw-state-master", "MASTER");
            case BACKUP -> new Look(Material2MZ.RADIO_BUTTON_UNCHECKED, "kw-state-backup", "BACKUP");
            case FAULT -> new Look(Material2AL.ERROR, "kw-state-fault", "FAULT");
            case INIT -> new Look(Material2AL.HOURGLASS_EMPTY, "kw-state-init", "INIT");
            case STOP -> new Look(Material2MZ.STOP, "kw-state-stop", "STOPPED");
            case HUNG -> new Look(Material2MZ.PAUSE_CIRCLE_OUTLINE, "kw-state-fault", "HUNG");
            case DEAD -> new Look(Material2AL.HIGHLIGHT_OFF, "kw-state-fault", "DEAD");
            case DELETED -> new Look(Material2AL.DELETE_OUTLINE, "kw-state-stop", "DELETED");
            case UNKNOWN -> new Look(Material2AL.HELP_OUTLINE, "kw-state-unknown", "UNKNOWN");
        };
    }

    public static Look of(Verdict verdict) {
        return switch (verdict) {
            case SPLIT_BRAIN -> new Look(Material2MZ.WARNING, "kw-verdict-critical", "Split brain");
            case ORPHAN_VIP -> new Look(Material2AL.LINK_OFF, "kw-verdict-critical", "Orphan VIP");
            case NO_MASTER -> new Look(Material2AL.ERROR_OUTLINE, "kw-verdict-critical", "No master");
            case STALE -> new Look(Material2MZ.SCHEDULE, "kw-verdict-stale", "Stale");
            case DRIFT -> new Look(Material2AL.COMPARE_ARROWS, "kw-verdict-warning", "Drift");
            case NO_REDUNDANCY -> new Look(Material2AL.LOOKS_ONE, "kw-verdict-warning", "No redundancy");
            case DEGRADED -> new Look(Material2MZ.TRENDING_DOWN, "kw-verdict-warning", "Degraded");
            case HEALTHY -> new Look(Material2AL.CHECK_CIRCLE, "kw-verdict-healthy", "Healthy");
        };
    }

    public static Look of(ConnectionState state) {
        return switch (state) {
            case ONLINE -> new Look(Material2AL.LINK, "kw-verdict-healthy", "Online");
            case CONNECTING -> new Look(Material2MZ.SYNC, "kw-verdict-stale", "Connecting");
            case STALE -> new Look(Material2MZ.SCHEDULE, "kw-verdict-warning", "Stale");
            case OFFLINE -> new Look(Material2AL.CLOUD_OFF, "kw-verdict-critical", "Offline");
            case AUTH_FAILED -> new Look(Material2AL.LOCK, "kw-verdict-critical", "Login refused");
            case HOST_KEY_REJECTED -> new Look(Material2MZ.SECURITY, "kw-verdict-critical", "Host key rejected");
        };
    }

    /** What an operator should do about an alarming verdict. */
    public static String advice(Verdict verdict) {
        return switch (verdict) {
            case SPLIT_BRAIN -> "Two nodes answer for the same address. Check the link between them (VRRP adverts, "
                    + "multicast or unicast peers, firewalls); if one node is broken, stop its keepalived.";
            case ORPHAN_VIP -> "A node holds a virtual address its keepalived does not own (killed or hung keepalived). "
                    + "Remove the address there (ip addr del) or restart keepalived on that node.";
            case NO_MASTER -> "Nobody serves the virtual addresses. Check tracked scripts and interfaces (FAULT), "
                    + "and whether keepalived runs on the members.";
            default -> "";
        };
    }

    public static String cssName(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Outlined variant for small, secondary places. */
    public static Ikon outlined(VrrpState state) {
        return state == VrrpState.MASTER ? Material2MZ.STAR_BORDER : Material2OutlinedAL.HELP_OUTLINE;
    }
}
