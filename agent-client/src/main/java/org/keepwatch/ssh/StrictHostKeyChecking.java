package org.keepwatch.ssh;

import java.util.Locale;
import java.util.Optional;

/** OpenSSH's StrictHostKeyChecking. A changed or revoked key is refused under every value, unlike OpenSSH's "no". */
public enum StrictHostKeyChecking {
    /** yes: unknown keys are refused. */
    YES("true"),
    /** ask: unknown keys go to the prompt. */
    ASK("ask"),
    /** accept-new: unknown keys are accepted and saved without asking. */
    ACCEPT_NEW("accept-new"),
    /** no / off: unknown keys are accepted and saved without asking (changed keys are still refused here). */
    NO("false");

    private final String sshGName;

    StrictHostKeyChecking(String sshGName) {
        this.sshGName = sshGName;
    }

    /** The word {@code ssh -G} prints for this value. */
    public String sshGName() {
        return sshGName;
    }

    /** Parses a config value the way readconf.c's multistate table does. */
    public static Optional<StrictHostKeyChecking> parse(String value) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "yes": case "true": return Optional.of(YES);
            case "ask": return Optional.of(ASK);
            case "accept-new": return Optional.of(ACCEPT_NEW);
            case "no": case "false": case "off": return Optional.of(NO);
            default: return Optional.empty();
        }
    }
}
