package org.keepwatch.cli;

/** A command line the command cannot understand; reported with its synopsis. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
