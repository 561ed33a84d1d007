package org.keepwatch.fleet;

/** How Keepwatch's link to a node's agent stands. */
public enum ConnectionState {
    CONNECTING,
    /** Connected, subscribed, heartbeats arriving. */
    ONLINE,
    /** Connected but heartbeats stopped: what was known is no longer current. */
    STALE,
    /** Not connected; retrying with backoff. */
    OFFLINE,
    /** The node refused every credential; no retry until the operator acts. */
    AUTH_FAILED,
    /** The host key is unknown and was not accepted, or changed, or revoked; no retry. */
    HOST_KEY_REJECTED;

    /** True when the node's reported state can be shown as current. */
    public boolean current() {
        return this == ONLINE;
    }
}
