package org.keepwatch.cli;

import org.keepwatch.ssh.LoginTarget;
import org.keepwatch.ssh.SshPrompts;

import java.io.Console;
import java.util.Optional;

/**
 * The CLI's questions on its terminal: only the sudo password of a node whose sudo wants one (read without echo,
 * kept in memory for this command's reconnects, never stored). Everything else answers as {@code ssh -o
 * BatchMode=yes}: host keys are accepted in the app or with ssh, SSH passwords and passphrases come from an agent.
 * Without a terminal nothing is asked at all.
 */
final class TerminalPrompts implements SshPrompts {

    private final Console console;

    private TerminalPrompts(Console console) {
        this.console = console;
    }

    /** Terminal prompts when this process has a terminal, else the batch answers. */
    static SshPrompts forThisProcess() {
        Console console = System.console();
        return console == null ? SshPrompts.BATCH : new TerminalPrompts(console);
    }

    @Override
    public Optional<char[]> sudoPassword(LoginTarget login, String node, int attempt) {
        // one question at a time: several nodes may want theirs at once
        synchronized (TerminalPrompts.class) {
            if (attempt > 1) {
                console.printf("sudo on %s refused that password; this is the last try (Keepwatch stops after two, so "
                        + "retries do not lock the account).%n", node);
            }
            char[] answer = console.readPassword("sudo password of %s on %s (%s; sent only to sudo there): ",
                    login.user(), node, login.description());
            return answer == null || answer.length == 0 ? Optional.empty() : Optional.of(answer);
        }
    }
}
