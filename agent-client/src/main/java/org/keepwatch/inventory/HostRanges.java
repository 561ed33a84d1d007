package org.keepwatch.inventory;

import java.util.ArrayList;
import java.util.List;

/**
 * Ansible's host ranges: {@code web[01:03]} is web01, web02, web03; {@code db-[a:c]} is db-a to db-c;
 * {@code [1:9:2]} steps by 2; several ranges in one name multiply. Zero padding follows the first bound.
 */
public final class HostRanges {

    private static final int MAX_HOSTS = 10_000;

    private HostRanges() {
    }

    /** Every name the pattern stands for, in order; the name itself when it has no range. */
    public static List<String> expand(String pattern) {
        List<String> out = new ArrayList<>();
        expand(pattern, out);
        return out;
    }

    private static void expand(String pattern, List<String> out) {
        int open = pattern.indexOf('[');
        int close = open < 0 ? -1 : pattern.indexOf(']', open);
        if (open < 0 || close < 0 || pattern.substring(open, close).indexOf(':') < 0) {
            out.add(pattern);
            return;
        }
        String head = pattern.substring(0, open);
        String tail = pattern.substring(close + 1);
        String[] bounds = pattern.substring(open + 1, close).split(":", -1);
        if (bounds.length < 2 || bounds.length > 3) {
            throw new IllegalArgumentException("host range [" + pattern.substring(open + 1, close) + "] in " + pattern
                    + " is not [start:end] or [start:end:step]");
        }
        String begin = bounds[0].isEmpty() ? "0" : bounds[0];
        String end = bounds[1];
        int step = 1;
        if (bounds.length == 3) {
            step = parse(bounds[2], pattern);
            if (step < 1) {
                throw new IllegalArgumentException("host range step in " + pattern + " must be 1 or more");
            }
        }
        List<String> values = new ArrayList<>();
        if (begin.chars().allMatch(Character::isDigit) && end.chars().allMatch(Character::isDigit) && !end.isEmpty()) {
            int from = parse(begin, pattern);
            int to = parse(end, pattern);
            int width = begin.length() > 1 && begin.startsWith("0") ? begin.length() : 0;
            for (int i = from; i <= to; i += step) {
                values.add(width > 0 ? String.format("%0" + width + "d", i) : Integer.toString(i));
                limit(values.size(), pattern);
            }
        } else if (begin.length() == 1 && end.length() == 1 && Character.isLetter(begin.charAt(0))
                && Character.isLetter(end.charAt(0))) {
            for (char c = begin.charAt(0); c <= end.charAt(0); c += (char) step) {
                values.add(String.valueOf(c));
            }
        } else {
            throw new IllegalArgumentException("host range [" + pattern.substring(open + 1, close) + "] in " + pattern
                    + " mixes numbers and letters, or uses more than one letter");
        }
        if (values.isEmpty()) {
            throw new IllegalArgumentException("host range in " + pattern + " is empty (the start is after the end)");
        }
        for (String value : values) {
            expand(head + value + tail, out);
            limit(out.size(), pattern);
        }
    }

    private static int parse(String number, String pattern) {
        try {
            return Integer.parseInt(number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("host range in " + pattern + ": " + number + " is not a number");
        }
    }

    private static void limit(int size, String pattern) {
        if (size > MAX_HOSTS) {
            throw new IllegalArgumentException(pattern + " stands for more than " + MAX_HOSTS + " hosts");
        }
    }
}
