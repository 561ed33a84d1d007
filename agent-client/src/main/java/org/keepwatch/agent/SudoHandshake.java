package org.keepwatch.agent;

import org.keepwatch.ssh.LoginTarget;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Types the operator's password to a sudo that asks for one, and to nothing else, before the agent's protocol starts
 * (see {@link AgentScript#sudoPasswordStartCommand}). The password goes to stdin only after sudo's prompt, which
 * carries a number fresh for this start, came on stderr; after it, nothing goes to stdin until either the line the
 * agent's Python writes first (sudo accepted and ran it) or the prompt again (sudo refused the password). sudo reads
 * the password byte by byte up to its newline, so the agent's stdin starts exactly after it.
 *
 * <p>At most two passwords per start: the remembered one (or the operator's first answer), and after a refusal one
 * more answer. A third prompt ends the start (sudo counts the two failures, and an account locks after a few more,
 * so no retry follows by itself; see {@link AgentStartException.Reason#SUDO_PASSWORD_REFUSED}).
 */
final class SudoHandshake {

    static final String PROMPT_PREFIX = "[keepwatch sudo ";
    static final String READY_PREFIX = "keepwatch-agent: sudo ran the agent ";
    /** What sudo and a login shell may write before the prompt (sudo's lecture, a motd) is far less. */
    private static final int MAX_TEXT_BYTES = 64 * 1024;
    static final int MAX_ATTEMPTS = 2;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String prompt;
    private final String ready;

    SudoHandshake(String nonce) {
        this.prompt = PROMPT_PREFIX + nonce + "] ";
        this.ready = READY_PREFIX + nonce;
    }

    static SudoHandshake fresh() {
        byte[] nonce = new byte[12];
        RANDOM.nextBytes(nonce);
        return new SudoHandshake(HexFormat.of().formatHex(nonce));
    }

    String prompt() {
        return prompt;
    }

    String ready() {
        return ready;
    }

    private enum Kind { PROMPT, READY, ENDED }

    private record Event(Kind kind, String text) {
    }

    /**
     * Answers sudo's prompts on {@code streams} until the agent runs; throws when it will not (the streams are then
     * for the caller to close).
     */
    void run(AgentStreams streams, String node, LoginTarget login, SudoPasswords passwords, Duration timeout)
            throws AgentStartException {
        ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sudo-handshake-" + node);
            t.setDaemon(true);
            return t;
        });
        String who = login.user() + " on " + node;
        try {
            int attempt = 0;
            char[] sent = null;
            boolean sentRemembered = false;
            try {
                while (true) {
                    Event event = next(reader, streams.stderr(), timeout, who);
                    switch (event.kind()) {
                        case READY -> {
                            if (sent != null) {
                                passwords.accept(login, sent);
                            }
                            return;
                        }
                        case ENDED -> throw ended(event.text(), who, node, login, attempt, passwords);
                        case PROMPT -> {
                            if (sent != null) {
                                passwords.refuse(login);
                                clear(sent);
                                sent = null;
                            }
                            if (attempt >= MAX_ATTEMPTS) {
                                throw refused(who, attempt);
                            }
                            attempt++;
                            Optional<char[]> password = Optional.empty();
                            if (attempt == 1) {
                                password = passwords.remembered(login);
                                sentRemembered = password.isPresent();
                            }
                            if (password.isEmpty()) {
                                // a remembered password refused counts as the first attempt: the operator is asked once
                                password = passwords.ask(login, node, sentRemembered ? MAX_ATTEMPTS : attempt);
                            }
                            if (password.isEmpty()) {
                                throw new AgentStartException(AgentStartException.Reason.SUDO_PASSWORD, node
                                        + ": sudo asks for " + login.user() + "'s password and none was given; "
                                        + "the agent was not started (Reconnect asks again)", null);
                            }
                            sent = password.get();
                            send(streams.stdin(), sent, who);
                        }
                    }
                }
            } finally {
                if (sent != null) {
                    clear(sent);
                }
            }
        } finally {
            reader.shutdownNow();
        }
    }

    private static AgentStartException refused(String who, int attempts) {
        return new AgentStartException(AgentStartException.Reason.SUDO_PASSWORD_REFUSED, "sudo refused the password of "
                + who + (attempts > 1 ? " twice" : "") + "; Keepwatch tries no more passwords, so the account is not "
                + "locked by retries: check the password and press Reconnect to type it again", null);
    }

    private AgentStartException ended(String text, String who, String node, LoginTarget login, int attempts,
                                      SudoPasswords passwords) {
        String said = text.strip();
        String last = said.isEmpty() ? "" : " (" + said.lines().reduce((a, b) -> b).orElse("").strip() + ")";
        if (said.contains("is not in the sudoers file") || said.contains("is not allowed to execute")) {
            passwords.refuse(login);
            return new AgentStartException(AgentStartException.Reason.NO_SUDO, node + ": sudo does not let "
                    + login.user() + " run python3 as root" + last, null);
        }
        if (said.contains("incorrect password attempt")) {
            passwords.refuse(login);
            return refused(who, attempts);
        }
        if (said.contains("a terminal is required") || said.contains("no askpass program")) {
            return new AgentStartException(AgentStartException.Reason.SUDO_PASSWORD, node + ": sudo on the node does "
                    + "not read passwords from standard input (sudo -S)" + last, null);
        }
        return new AgentStartException(AgentStartException.Reason.NO_ANSWER, node + ": sudo ended before the agent "
                + "started" + last, null);
    }

    private Event next(ExecutorService reader, InputStream stderr, Duration timeout, String who)
            throws AgentStartException {
        Future<Event> read = reader.submit(() -> readEvent(stderr));
        try {
            return read.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            read.cancel(true);
            throw new AgentStartException(AgentStartException.Reason.NO_ANSWER, "neither sudo's prompt nor the agent "
                    + "came within " + timeout.toSeconds() + " s for " + who + "; nothing was sent", e);
        } catch (ExecutionException e) {
            throw new AgentStartException(AgentStartException.Reason.NO_ANSWER, "reading sudo's answer for " + who
                    + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentStartException(AgentStartException.Reason.NO_ANSWER, "interrupted while starting sudo", e);
        }
    }

    /** Reads stderr byte by byte up to the prompt or the ready line (never past them), or its end. */
    private Event readEvent(InputStream stderr) throws IOException {
        byte[] promptBytes = prompt.getBytes(StandardCharsets.US_ASCII);
        byte[] readyBytes = (ready + "\n").getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        while (true) {
            int b = stderr.read();
            if (b < 0) {
                return new Event(Kind.ENDED, text.toString(StandardCharsets.UTF_8));
            }
            text.write(b);
            if (text.size() > MAX_TEXT_BYTES) {
                throw new IOException("more than " + MAX_TEXT_BYTES + " bytes on stderr before sudo's prompt");
            }
            byte[] sofar = text.toByteArray();
            if (endsWith(sofar, promptBytes)) {
                return new Event(Kind.PROMPT, new String(sofar, 0, sofar.length - promptBytes.length, StandardCharsets.UTF_8));
            }
            if (endsWith(sofar, readyBytes)) {
                return new Event(Kind.READY, new String(sofar, 0, sofar.length - readyBytes.length, StandardCharsets.UTF_8));
            }
        }
    }

    private static boolean endsWith(byte[] data, byte[] suffix) {
        return data.length >= suffix.length
                && Arrays.equals(data, data.length - suffix.length, data.length, suffix, 0, suffix.length);
    }

    private static void send(OutputStream stdin, char[] password, String who) throws AgentStartException {
        for (char c : password) {
            if (c == '\n' || c == '\r' || c == '\0') {
                throw new AgentStartException(AgentStartException.Reason.SUDO_PASSWORD, "the sudo password for " + who
                        + " holds a line break or NUL, which sudo -S cannot read; nothing was sent", null);
            }
        }
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] line = new byte[encoded.remaining() + 1];
        encoded.get(line, 0, line.length - 1);
        line[line.length - 1] = '\n';
        Arrays.fill(encoded.array(), (byte) 0);
        try {
            stdin.write(line);
            stdin.flush();
        } catch (IOException e) {
            throw new AgentStartException(AgentStartException.Reason.NO_ANSWER, "sudo for " + who
                    + " went away before it read the password", e);
        } finally {
            Arrays.fill(line, (byte) 0);
        }
    }

    private static void clear(char[] secret) {
        Arrays.fill(secret, '\0');
    }
}
