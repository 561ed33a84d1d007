package org.keepwatch.diagnosis;

/** What a diagnosis can find wrong with a router, in the order a verdict prefers them: the most direct cause first. */
public enum Cause {
    INTERFACE_DOWN("an interface is down"),
    FIREWALL("a firewall drops VRRP"),
    AUTH_MISMATCH("authentication mismatch"),
    STRANGER("a stranger uses the router's VRID"),
    CONFIG_MISMATCH("the members' settings differ"),
    PARTITION("partition"),
    ONE_WAY_LOSS("adverts lost in one direction"),
    DAEMON_DOWN("keepalived is not running"),
    UNREACHED("a member could not be asked"),
    NONE_FOUND("nothing found");

    private final String title;

    Cause(String title) {
        this.title = title;
    }

    /** A few words for a heading: "authentication mismatch". */
    public String title() {
        return title;
    }
}
