package org.keepwatch.ssh;

/** How and why a connection ended. */
public record Disconnect(Reason reason, String message) {

    public enum Reason {
        /** We closed it. */
        CLOSED_BY_CLIENT,
        /** The server (or a jump host on the way) closed it or sent a disconnect. */
        CLOSED_BY_SERVER,
        /** ServerAliveCountMax keepalives in a row went unanswered. */
        KEEPALIVE_TIMEOUT,
        /** A read or write failed, or the protocol broke. */
        TRANSPORT_ERROR
    }

    public String description() {
        switch (reason) {
            case CLOSED_BY_CLIENT: return "closed";
            case CLOSED_BY_SERVER: return "closed by the server" + suffix();
            case KEEPALIVE_TIMEOUT: return "the server stopped answering keepalives" + suffix();
            default: return "transport error" + suffix();
        }
    }

    private String suffix() {
        return message == null || message.isBlank() ? "" : " (" + message + ")";
    }
}
