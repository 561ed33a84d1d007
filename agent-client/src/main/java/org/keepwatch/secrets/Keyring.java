package org.keepwatch.secrets;

import java.util.Map;
import java.util.Optional;

/**
 * Where a password the operator asked to remember is kept: the desktop's keyring, never a Keepwatch file.
 * {@link #NONE} stands for a workstation without one; the prompts then ask every time.
 */
public interface Keyring {

    /** Which secret: attributes such as kind=password, user, host; a label the keyring's own UI shows. */
    record Key(String label, Map<String, String> attributes) {
        public Key {
            attributes = Map.copyOf(attributes);
        }
    }

    Keyring NONE = new Keyring() {
        @Override
        public boolean available() {
            return false;
        }

        @Override
        public String unavailableReason() {
            return "no keyring is configured";
        }
    };

    /** True when secrets can be stored and read back. Never called on a UI thread: it may start a process. */
    boolean available();

    /** Why not, in words, when {@link #available()} is false. */
    default String unavailableReason() {
        return "";
    }

    /** The stored secret, a fresh array the caller clears. */
    default Optional<char[]> lookup(Key key) {
        return Optional.empty();
    }

    default void store(Key key, char[] secret) {
    }

    default void clear(Key key) {
    }
}
