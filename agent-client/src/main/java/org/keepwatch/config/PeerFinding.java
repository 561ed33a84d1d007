package org.keepwatch.config;

/**
 * A peer consistency finding: the member whose file it points into, the router it is about
 * ({@link PeerRouter#label()}), and the diagnostic with file, line, column, code and message.
 */
public record PeerFinding(String member, String router, Diagnostic diagnostic) {
    @Override
    public String toString() {
        return member + ": " + diagnostic;
    }
}
