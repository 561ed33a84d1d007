package org.keepwatch.app.detail;

import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import org.keepwatch.fleet.Transition;
import org.keepwatch.fleet.VrrpState;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One member's states over the last minutes as a strip: a segment per state, coloured and labelled
 * (the first letter when narrow), with a tick at every transition so the changes show without colour.
 */
final class StateTimeline extends Canvas {

    static final Duration WINDOW = Duration.ofMinutes(10);
    private static final double HEIGHT = 18;

    StateTimeline(double width) {
        super(width, HEIGHT);
    }

    /**
     * @param since when the member entered its current state, as keepalived reports it: a member first
     *              seen when Keepwatch connected has held that state since then, not for an unknown time
     */
    void draw(List<Transition> history, VrrpState current, Optional<Instant> since, Instant now) {
        List<Transition> transitions = history;
        if (history.size() == 1 && history.get(0).from() == VrrpState.UNKNOWN) {
            Transition first = history.get(0);
            transitions = since.filter(at -> at.isBefore(first.at()))
                    .map(at -> List.of(new Transition(at, first.instance(), first.from(), first.to(),
                            first.effectivePriority(), first.cause())))
                    .orElse(history);
        }
        GraphicsContext g = getGraphicsContext2D();
        double width = getWidth();
        g.clearRect(0, 0, width, HEIGHT);
        Instant start = now.minus(WINDOW);
        VrrpState state = VrrpState.UNKNOWN;
        Instant from = start;
        for (Transition t : transitions) {
            if (t.at().isBefore(start)) {
                state = t.to();
                continue;
            }
            segment(g, from, t.at(), state, start, width);
            tick(g, x(t.at(), start, width));
            from = t.at();
            state = t.to();
        }
        segment(g, from, now, transitions.isEmpty() ? current : state, start, width);
    }

    private static void segment(GraphicsContext g, Instant from, Instant to, VrrpState state, Instant start, double width) {
        double x0 = x(from, start, width);
        double x1 = x(to, start, width);
        if (x1 - x0 < 0.5) {
            return;
        }
        g.setFill(colour(state));
        g.fillRect(x0, 2, x1 - x0, HEIGHT - 4);
        g.setFill(state == VrrpState.BACKUP || state == VrrpState.UNKNOWN ? Color.BLACK : Color.WHITE);
        g.setFont(Font.font(10));
        String label = x1 - x0 > 60 ? state.name() : x1 - x0 > 10 ? state.name().substring(0, 1) : "";
        g.fillText(label, x0 + 3, HEIGHT - 5);
    }

    private static void tick(GraphicsContext g, double x) {
        g.setStroke(Color.BLACK);
        g.setLineWidth(1.5);
        g.strokeLine(x, 0, x, HEIGHT);
    }

    private static double x(Instant at, Instant start, double width) {
        double fraction = (double) Duration.between(start, at).toMillis() / WINDOW.toMillis();
        return Math.max(0, Math.min(width, fraction * width));
    }

    static Color colour(VrrpState state) {
        return switch (state) {
            case MASTER -> Color.web("#1a7f37");
            case BACKUP -> Color.web("#b6d4fe");
            case FAULT, DEAD -> Color.web("#cf222e");
            case HUNG -> Color.web("#8250df");
            case INIT -> Color.web("#bf8700");
            case STOP, DELETED -> Color.web("#6e7781");
            case UNKNOWN -> Color.web("#eaeef2");
        };
    }
}
