package org.keepwatch.config;

import java.util.ArrayDeque;
import java.util.Deque;

/** POSIX path arithmetic on strings, independent of the workstation's file system. */
final class PosixPaths {
    private PosixPaths() {
    }

    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        if (slash < 0) return ".";
        return slash == 0 ? "/" : path.substring(0, slash);
    }

    static String resolve(String directory, String path) {
        if (path.startsWith("/")) return normalize(path);
        return normalize(directory.endsWith("/") ? directory + path : directory + "/" + path);
    }

    /** Removes "." and ".." segments and doubled slashes. */
    static String normalize(String path) {
        boolean absolute = path.startsWith("/");
        Deque<String> parts = new ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..") && !parts.isEmpty() && !parts.peekLast().equals("..")) {
                parts.removeLast();
            } else if (!(part.equals("..") && absolute)) {
                parts.addLast(part);
            }
        }
        String joined = String.join("/", parts);
        if (absolute) return "/" + joined;
        return joined.isEmpty() ? "." : joined;
    }
}
