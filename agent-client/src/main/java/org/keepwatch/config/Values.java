package org.keepwatch.config;

import java.util.OptionalDouble;
import java.util.OptionalInt;

/** Reading keepalived's scalar values: integers as strtol does, timers as decimals, booleans as its words. */
final class Values {
    private Values() {
    }

    static OptionalInt integer(String text) {
        try {
            return OptionalInt.of(Integer.parseInt(text.strip()));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    static OptionalDouble decimal(String text) {
        if (!text.strip().matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)")) return OptionalDouble.empty();
        return OptionalDouble.of(Double.parseDouble(text.strip()));
    }

    static boolean isBoolean(String text) {
        return switch (text.toLowerCase()) {
            case "on", "off", "true", "false", "yes", "no" -> true;
            default -> false;
        };
    }
}
