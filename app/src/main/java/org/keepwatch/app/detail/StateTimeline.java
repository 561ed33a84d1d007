package org.keepwatch.app.detail;

import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import org.keepwatch.fleet.Transition;
import org.keepwatch.fleet.VrrpState;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One member's states over the last minutes as a strip: a segment per state, coloured and labelled
 * (the first letter when narrow), with a tick at every transition so the changes show without colour. The time
 * before Keepwatch watched the member is "not watched" (a paler grey), not a state it was in.
 */
final class StateTimeline extends Canvas {

    static final Duration WINDOW = Duration.ofMinutes(10);
    private static final double HEIGHT = 18;
    static final String NOT_WATCHED = "not watched";
    static final Color NOT_WATCHED_COLOUR = Color.web("#f6f8fa");  // paler than UNKNOWN's
    private static final Color NOT_WATCHED_EDGE = Color.web("#8c959f");
    private static final Color MARK = Color.web("#bf8700");

    StateTimeline(double width) {
        super(width, HEIGHT);
    }

    /**
     * @param since when the member entered its current state, as keepalived reports it: a member first
     *              seen when Keepwatch connected has held that state since then, not for an unknown time
     */
    void draw(List<Transition> history, VrrpState current, Optional<Instant> since, Instant now) {
        draw(segments(history, current, since, now), now.minus(WINDOW), now);
    }

    /** Draws these stretches over the span from {@code start} to {@code end} (a lane of a router's timeline). */
    void draw(List<Segment> segments, Instant start, Instant end) {
        GraphicsContext g = getGraphicsContext2D();
        double width = getWidth();
        g.clearRect(0, 0, width, HEIGHT);
        long span = Math.max(1, Duration.between(start, end).toMillis());
        double previousTick = -10;
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            paint(g, s, start, span, width);
            double x = x(s.from(), start, span, width);
            // zoomed out, a flapping member's ticks would blacken the lane: one tick per two pixels
            if (i > 0 && x - previousTick >= 2) {
                tick(g, x);
                previousTick = x;
            }
        }
    }

    /** Marks a moment on the lane (the one the tables show the fleet as of). */
    void mark(Instant at, Instant start, Instant end) {
        if (at.isBefore(start) || at.isAfter(end)) {
            return;
        }
        double x = x(at, start, Math.max(1, Duration.between(start, end).toMillis()), getWidth());
        GraphicsContext g = getGraphicsContext2D();
        g.setStroke(MARK);
        g.setLineWidth(3);
        g.strokeLine(x, 0, x, HEIGHT);
    }

    /** The moment under {@code x} on a lane drawn from {@code start} to {@code end}. */
    Instant at(double x, Instant start, Instant end) {
        double fraction = Math.max(0, Math.min(1, x / getWidth()));
        return start.plusMillis(Math.round(fraction * Duration.between(start, end).toMillis()));
    }

    /**
     * One stretch of the strip: a state, or the time before Keepwatch watched the member ({@code state} empty:
     * before it connected, or before keepalived's last transition when it said when that was).
     */
    record Segment(Instant from, Instant to, Optional<VrrpState> state) {
        String label() {
            return state.map(VrrpState::name).orElse(NOT_WATCHED);
        }
    }

    /** The strip's stretches, oldest first, inside the window that ends {@code now}. */
    static List<Segment> segments(List<Transition> history, VrrpState current, Optional<Instant> since, Instant now) {
        return segments(history, current, since, now.minus(WINDOW), now);
    }

    /** The strip's stretches, oldest first, from {@code start} to {@code now}, from the transitions kept in memory. */
    static List<Segment> segments(List<Transition> history, VrrpState current, Optional<Instant> since, Instant start,
                                  Instant now) {
        List<Transition> transitions = history;
        if (history.size() == 1 && history.get(0).from() == VrrpState.UNKNOWN) {
            Transition first = history.get(0);
            transitions = since.filter(at -> at.isBefore(first.at()))
                    .map(at -> List.of(new Transition(at, first.instance(), first.from(), first.to(),
                            first.effectivePriority(), first.cause())))
                    .orElse(history);
        }
        // before the first transition Keepwatch knows of, when that is its first sight of the member, nobody watched
        Optional<VrrpState> state = !transitions.isEmpty() && transitions.get(0).from() == VrrpState.UNKNOWN
                ? Optional.empty() : Optional.of(VrrpState.UNKNOWN);
        Instant from = start;
        List<Segment> out = new ArrayList<>();
        for (Transition t : transitions) {
            if (t.at().isAfter(now)) {
                break;
            }
            if (t.at().isBefore(start)) {
                state = Optional.of(t.to());
                continue;
            }
            if (t.at().isAfter(from)) {
                out.add(new Segment(from, t.at(), state));
            }
            from = t.at();
            state = Optional.of(t.to());
        }
        out.add(new Segment(from, now, transitions.isEmpty() ? Optional.of(current) : state));
        return out;
    }

    private static void paint(GraphicsContext g, Segment s, Instant start, long span, double width) {
        double x0 = x(s.from(), start, span, width);
        double x1 = x(s.to(), start, span, width);
        if (x1 - x0 < 0.5) {
            if (x1 > x0 && s.state().isPresent()) {
                // a stretch narrower than a pixel (a long span zoomed out) still shows as a hairline of its colour
                g.setFill(colour(s.state().get()));
                g.fillRect(x0, 2, 1, HEIGHT - 4);
            }
            return;
        }
        VrrpState state = s.state().orElse(null);
        g.setFill(state == null ? NOT_WATCHED_COLOUR : colour(state));
        g.fillRect(x0, 2, x1 - x0, HEIGHT - 4);
        if (state == null) {
            // edged, so a stretch nobody watched shows on a white page as a stretch, not as nothing drawn
            g.setStroke(NOT_WATCHED_EDGE);
            g.setLineWidth(1);
            g.setLineDashes(3, 3);
            g.strokeLine(x0, 2.5, x1, 2.5);
            g.strokeLine(x0, HEIGHT - 2.5, x1, HEIGHT - 2.5);
            g.setLineDashes();
        }
        g.setFill(state == null || state == VrrpState.BACKUP || state == VrrpState.UNKNOWN ? Color.BLACK : Color.WHITE);
        g.setFont(Font.font(10));
        String name = s.label();
        String label = x1 - x0 > 70 ? name : x1 - x0 > 10 && state != null ? name.substring(0, 1) : "";
        g.fillText(label, x0 + 3, HEIGHT - 5);
    }

    private static void tick(GraphicsContext g, double x) {
        g.setStroke(Color.BLACK);
        g.setLineWidth(1.5);
        g.strokeLine(x, 0, x, HEIGHT);
    }

    private static double x(Instant at, Instant start, long span, double width) {
        double fraction = (double) Duration.between(start, at).toMillis() / span;
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
