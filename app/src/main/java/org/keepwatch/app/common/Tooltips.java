package org.keepwatch.app.common;

import javafx.scene.control.Tooltip;

/** Tooltips for text of any length (a refusal, a daemon's problem, a router's reasons): wrapped, never wider than this. */
public final class Tooltips {

    /** About 90 characters of the app's font: a long message stays on screen and readable. */
    public static final double MAX_WIDTH = 640;

    private Tooltips() {
    }

    public static Tooltip wrapping(String text) {
        Tooltip tooltip = new Tooltip(text);
        tooltip.setWrapText(true);
        tooltip.setMaxWidth(MAX_WIDTH);
        return tooltip;
    }
}
