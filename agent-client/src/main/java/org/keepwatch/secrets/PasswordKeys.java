package org.keepwatch.secrets;

import org.keepwatch.ssh.LoginTarget;

import java.util.Map;
import java.util.Optional;

/**
 * Which keyring entry holds the password of a login. An entry names user, host, port and the jump hosts in front, so
 * a password is never handed to the same host name on another port or through another jump host (which may be
 * another machine). Its kind is {@code ssh-password}: Secret Service lookups match entries that have at least the
 * attributes asked for, so a lookup of an entry saved the old way must not find these.
 */
public final class PasswordKeys {

    /** Entries saved before port and jump hosts were part of the key: user and host only. */
    private static final String LEGACY_KIND = "password";
    private static final String KIND = "ssh-password";
    private static final String SUDO_KIND = "sudo-password";
    /** The jump-host attribute of a direct connection (a jump host always has an @ in it). */
    private static final String DIRECT = "direct";

    private PasswordKeys() {
    }

    public static Keyring.Key of(LoginTarget login) {
        return new Keyring.Key("Keepwatch: password of " + login.description(), Map.of("kind", KIND,
                "user", login.user(), "host", login.host(), "port", Integer.toString(login.port()),
                "via", login.jumpHosts().isEmpty() ? DIRECT : String.join(",", login.jumpHosts())));
    }

    /**
     * The entry of the sudo password of a login on a node: kind {@code sudo-password}, never the login's SSH password
     * entry (the two may differ), labelled with the node and the user sudo asks for.
     */
    public static Keyring.Key sudo(LoginTarget login, String node) {
        return new Keyring.Key("Keepwatch: sudo password of " + login.user() + " on " + node + " ("
                + login.description() + ")", Map.of("kind", SUDO_KIND, "node", node,
                "user", login.user(), "host", login.host(), "port", Integer.toString(login.port()),
                "via", login.jumpHosts().isEmpty() ? DIRECT : String.join(",", login.jumpHosts())));
    }

    /**
     * The entry an earlier Keepwatch saved for this login, keyed by user@host alone, when it can only have been meant
     * for it: a direct login on port 22. For another port or a jump host it may have been typed for another machine,
     * so it is not read (the person is asked, and the new entry is keyed in full).
     */
    public static Optional<Keyring.Key> legacy(LoginTarget login) {
        if (login.port() != 22 || !login.jumpHosts().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Keyring.Key("Keepwatch: password of " + login.user() + "@" + login.host(),
                Map.of("kind", LEGACY_KIND, "user", login.user(), "host", login.host())));
    }
}
