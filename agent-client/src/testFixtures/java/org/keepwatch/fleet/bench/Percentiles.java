package org.keepwatch.fleet.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Nearest-rank percentiles of a set of samples (milliseconds), as the benchmarks report them. */
public final class Percentiles {

    private final List<Double> sorted;

    public Percentiles(List<Double> samples) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
    }

    /** The smallest sample with at least {@code p} percent of the samples at or below it. */
    public double at(double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    public double min() {
        return sorted.get(0);
    }

    public double max() {
        return sorted.get(sorted.size() - 1);
    }

    public int count() {
        return sorted.size();
    }

    public String summary() {
        return String.format(Locale.ROOT, "n=%d min=%.1f p50=%.1f p90=%.1f p99=%.1f max=%.1f ms", count(), min(),
                at(50), at(90), at(99), max());
    }
}
