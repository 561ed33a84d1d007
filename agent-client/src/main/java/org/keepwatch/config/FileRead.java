package org.keepwatch.config;

import java.util.Optional;

/** What reading one configuration file gave: its bytes, nothing there, or a file left unread and why. */
public sealed interface FileRead {

    record Contents(byte[] bytes) implements FileRead {
    }

    record Missing() implements FileRead {
    }

    /** Something is there but was not read: {@code why} says what it is, in words (e.g. "is a FIFO, ..."). */
    record Refused(String why) implements FileRead {
    }

    /** The bytes, when the file was read. */
    default Optional<byte[]> contents() {
        return this instanceof Contents c ? Optional.of(c.bytes()) : Optional.empty();
    }

    static FileRead of(Optional<byte[]> bytes) {
        return bytes.<FileRead>map(Contents::new).orElseGet(Missing::new);
    }
}
