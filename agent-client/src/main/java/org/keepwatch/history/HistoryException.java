package org.keepwatch.history;

/** The history cannot be opened, read or written; the message names the database and says why, in words. */
public final class HistoryException extends RuntimeException {
    public HistoryException(String message, Throwable cause) {
        super(message, cause);
    }

    public HistoryException(String message) {
        super(message);
    }
}
