package org.keepwatch.ssh;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Every password and passphrase handed to SSHJ during one authentication, so all of them (and the prompt's own
 * arrays) are overwritten once authentication is over, whatever SSHJ did with its copy.
 */
final class IssuedSecrets implements AutoCloseable {

    private final List<char[]> issued = new ArrayList<>();

    /** A copy of the prompt's answer for SSHJ; the answer itself is cleared at once. Null when cancelled. */
    synchronized char[] issue(Optional<char[]> answer) {
        if (answer.isEmpty()) {
            return null;
        }
        char[] original = answer.get();
        char[] copy = original.clone();
        Arrays.fill(original, '\0');
        issued.add(copy);
        return copy;
    }

    @Override
    public synchronized void close() {
        for (char[] secret : issued) {
            Arrays.fill(secret, '\0');
        }
        issued.clear();
    }
}
