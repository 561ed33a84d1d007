package org.keepwatch.agent;

import org.keepwatch.ssh.LoginTarget;
import org.keepwatch.ssh.SshPrompts;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sudo passwords of this session: asked through {@link SshPrompts#sudoPassword} when sudo on a node wants one,
 * and kept in memory, per login (user, host, port, jump hosts), only once sudo accepted it, so the agent's reconnects
 * in this session do not ask again. A password sudo refused is dropped at once. Nothing here is written anywhere;
 * the prompts keep it in the keyring only when the operator chose that.
 */
public final class SudoPasswords {

    /** Passwords for no node: sudo that wants one fails as with {@code sudo -n}. */
    public static final SudoPasswords NONE = new SudoPasswords(SshPrompts.BATCH);

    private final SshPrompts prompts;
    private final Map<LoginTarget, char[]> accepted = new ConcurrentHashMap<>();

    public SudoPasswords(SshPrompts prompts) {
        this.prompts = prompts;
    }

    /** True when this session knows sudo wants a password for {@code login} (it accepted one before). */
    boolean known(LoginTarget login) {
        return accepted.containsKey(login);
    }

    /** A copy of the accepted password, which the caller clears. */
    Optional<char[]> remembered(LoginTarget login) {
        return Optional.ofNullable(accepted.get(login)).map(char[]::clone);
    }

    /** Asks the operator; empty when they cancelled or nobody can be asked. */
    Optional<char[]> ask(LoginTarget login, String node, int attempt) {
        return prompts.sudoPassword(login, node, attempt);
    }

    void accept(LoginTarget login, char[] password) {
        char[] old = accepted.put(login, password.clone());
        if (old != null) {
            Arrays.fill(old, '\0');
        }
    }

    void refuse(LoginTarget login) {
        char[] old = accepted.remove(login);
        if (old != null) {
            Arrays.fill(old, '\0');
        }
    }

    /** Forgets every password (the session ends). */
    public void clear() {
        accepted.values().forEach(p -> Arrays.fill(p, '\0'));
        accepted.clear();
    }
}
