package org.keepwatch.config;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A keepalived release as a node reports it (the agent's hello carries {@code keepalived -v}'s "2.2.7"), to lint a
 * configuration against what that release's parser knows.
 */
public record KeepalivedVersion(int major, int minor, int patch) implements Comparable<KeepalivedVersion> {
    private static final Pattern VERSION = Pattern.compile("v?(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    /** The release keywords.tsv was generated from: lint with no version known checks against this one. */
    public static final KeepalivedVersion TABLE = new KeepalivedVersion(2, 2, 7);

    /** "2.2.7", "v2.3.3", "2.1.5 (05/01,2020)": the first version number in the text, if any. */
    public static Optional<KeepalivedVersion> parse(String text) {
        if (text == null) return Optional.empty();
        Matcher m = VERSION.matcher(text.strip());
        if (!m.find()) return Optional.empty();
        try {
            return Optional.of(new KeepalivedVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    public boolean sameMinor(KeepalivedVersion other) {
        return major == other.major && minor == other.minor;
    }

    @Override
    public int compareTo(KeepalivedVersion o) {
        if (major != o.major) return Integer.compare(major, o.major);
        if (minor != o.minor) return Integer.compare(minor, o.minor);
        return Integer.compare(patch, o.patch);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
