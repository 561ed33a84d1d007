package org.keepwatch.config;

/** A place in a configuration file: 1-based line and column, as editors and keepalived count them. */
public record Location(String file, int line, int column) {
    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
