package org.keepwatch.ssh;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/** Prompts that answer from queues and record every question (never the answers). */
final class RecordingPrompts implements SshPrompts {

    final List<String> questions = new ArrayList<>();
    final List<HostKeyInfo> hostKeys = new ArrayList<>();
    /** Every login a password was asked for, in order. */
    final List<LoginTarget> logins = new ArrayList<>();
    final List<char[]> handedOut = new ArrayList<>();
    private final Deque<HostKeyDecision> decisions = new ArrayDeque<>();
    private final Deque<String> passphrases = new ArrayDeque<>();
    private final Deque<String> passwords = new ArrayDeque<>();
    private final Deque<String> keyboard = new ArrayDeque<>();

    RecordingPrompts decide(HostKeyDecision... answers) {
        decisions.addAll(List.of(answers));
        return this;
    }

    RecordingPrompts passphrases(String... answers) {
        passphrases.addAll(List.of(answers));
        return this;
    }

    RecordingPrompts passwords(String... answers) {
        passwords.addAll(List.of(answers));
        return this;
    }

    RecordingPrompts keyboard(String... answers) {
        keyboard.addAll(List.of(answers));
        return this;
    }

    @Override
    public synchronized HostKeyDecision unknownHostKey(HostKeyInfo key) {
        questions.add("hostkey " + key.hostDisplay());
        hostKeys.add(key);
        return decisions.isEmpty() ? HostKeyDecision.REJECT : decisions.poll();
    }

    @Override
    public synchronized Optional<char[]> passphrase(Path keyFile, int attempt) {
        questions.add("passphrase " + keyFile.getFileName() + " #" + attempt);
        return give(passphrases);
    }

    @Override
    public synchronized Optional<char[]> password(LoginTarget login, int attempt) {
        questions.add("password " + login.user() + "@" + login.host() + " #" + attempt);
        logins.add(login);
        return give(passwords);
    }

    @Override
    public synchronized Optional<char[]> keyboardInteractive(String user, String host, String instruction,
                                                            String prompt, boolean echo) {
        questions.add("keyboard " + instruction + " / " + prompt + (echo ? " (echo)" : ""));
        return give(keyboard);
    }

    private Optional<char[]> give(Deque<String> answers) {
        if (answers.isEmpty()) {
            return Optional.empty();
        }
        char[] secret = answers.poll().toCharArray();
        handedOut.add(secret);
        return Optional.of(secret);
    }

    /** True when every secret handed out has been overwritten. */
    boolean allSecretsCleared() {
        return handedOut.stream().allMatch(s -> new String(s).chars().allMatch(c -> c == 0));
    }
}
