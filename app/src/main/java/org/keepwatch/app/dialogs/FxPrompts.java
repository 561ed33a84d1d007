package org.keepwatch.app.dialogs;

import javafx.application.Platform;
import javafx.scene.control.Dialog;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.keepwatch.secrets.Keyring;
import org.keepwatch.secrets.PasswordKeys;
import org.keepwatch.ssh.HostKeyDecision;
import org.keepwatch.ssh.HostKeyInfo;
import org.keepwatch.ssh.LoginTarget;
import org.keepwatch.ssh.SshPrompts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * SSH's questions as dialogs. Called on an I/O thread (never the FX thread), each question is shown on the FX
 * thread while the caller waits; one dialog at a time, so several nodes connecting at once queue up rather than
 * stack. A question not answered within the timeout is closed and answered as {@code ssh -o BatchMode=yes} would
 * (reject the key, give no secret), and so is one asked on the FX thread by mistake.
 */
public final class FxPrompts implements SshPrompts {

    private static final Logger log = LoggerFactory.getLogger(FxPrompts.class);
    private final Supplier<Window> owner;
    private final Keyring keyring;
    private final Duration timeout;
    private final Semaphore turn = new Semaphore(1, true);
    /** Secrets handed out from the keyring, by the entry asked for, with the entry that held it (itself or a legacy one). */
    private final Map<Keyring.Key, Keyring.Key> fromKeyring = new ConcurrentHashMap<>();

    /**
     * @param owner   the window the dialogs belong to (the main window)
     * @param timeout how long one question waits for its answer
     */
    public FxPrompts(Supplier<Window> owner, Keyring keyring, Duration timeout) {
        this.owner = owner;
        this.keyring = keyring;
        this.timeout = timeout;
    }

    @Override
    public HostKeyDecision unknownHostKey(HostKeyInfo key) {
        return ask(() -> HostKeyDialog.create(owner.get(), key)).orElse(HostKeyDecision.REJECT);
    }

    @Override
    public Optional<char[]> passphrase(Path keyFile, int attempt) {
        Keyring.Key key = new Keyring.Key("Keepwatch: passphrase of " + keyFile,
                Map.of("kind", "passphrase", "key", keyFile.toAbsolutePath().toString()));
        return secret(key, Optional.empty(), attempt,
                remember -> SecretDialog.passphrase(owner.get(), keyFile, attempt, remember));
    }

    @Override
    public Optional<char[]> password(LoginTarget login, int attempt) {
        return secret(PasswordKeys.of(login), PasswordKeys.legacy(login), attempt,
                remember -> SecretDialog.password(owner.get(), login, attempt, remember));
    }

    /** Asked once per node and login; kept in the keyring only when the operator ticks the box (off by default). */
    @Override
    public Optional<char[]> sudoPassword(LoginTarget login, String node, int attempt) {
        return secret(PasswordKeys.sudo(login, node), Optional.empty(), attempt,
                remember -> SecretDialog.sudoPassword(owner.get(), login, node, attempt, remember));
    }

    @Override
    public Optional<char[]> keyboardInteractive(String user, String host, String instruction, String prompt,
                                                boolean echo) {
        // One-time codes and the like are never remembered.
        return ask(() -> SecretDialog.keyboardInteractive(owner.get(), user, host, instruction, prompt, echo))
                .map(SecretDialog.Answer::secret);
    }

    /**
     * The keyring's secret on a first attempt (from {@code key}, else from the {@code legacy} entry an earlier version
     * saved); the person otherwise, keeping or dropping what the keyring holds. New secrets are kept under {@code key}.
     */
    private Optional<char[]> secret(Keyring.Key key, Optional<Keyring.Key> legacy, int attempt,
                                    Function<SecretDialog.Remember, Dialog<SecretDialog.Answer>> dialog) {
        boolean usable = keyring.available();
        Optional<Keyring.Key> refused = attempt > 1 ? Optional.ofNullable(fromKeyring.remove(key)) : Optional.empty();
        if (usable && attempt == 1) {
            for (Keyring.Key entry : legacy.map(old -> List.of(key, old)).orElse(List.of(key))) {
                Optional<char[]> stored = keyring.lookup(entry);
                if (stored.isPresent()) {
                    fromKeyring.put(key, entry);
                    return stored;
                }
            }
        }
        SecretDialog.Remember remember = usable ? new SecretDialog.Remember(true, refused.isPresent(), "")
                : new SecretDialog.Remember(false, false, keyring.unavailableReason());
        Optional<SecretDialog.Answer> answer = ask(() -> dialog.apply(remember));
        if (answer.isEmpty()) {
            return Optional.empty();
        }
        char[] secret = answer.get().secret();
        if (answer.get().remember()) {
            keyring.store(key, secret);
        }
        // The remembered one was refused: drop it, unless the new one just took its place.
        refused.filter(entry -> !(answer.get().remember() && entry.equals(key))).ifPresent(keyring::clear);
        return Optional.of(secret);
    }

    /** Shows the dialog on the FX thread and waits for its result; empty when closed, timed out or interrupted. */
    <T> Optional<T> ask(Supplier<Dialog<T>> build) {
        if (Platform.isFxApplicationThread()) {
            log.error("an SSH question was asked on the FX thread; answering it as BatchMode would", new IllegalStateException());
            return Optional.empty();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (!turn.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                log.warn("an SSH question waited {} s behind others and was given up", timeout.toSeconds());
                return Optional.empty();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        AtomicReference<Dialog<T>> shown = new AtomicReference<>();
        CompletableFuture<Optional<T>> answer = new CompletableFuture<>();
        try {
            Platform.runLater(() -> {
                try {
                    Dialog<T> dialog = build.get();
                    shown.set(dialog);
                    dialog.setOnHidden(e -> answer.complete(Optional.ofNullable(dialog.getResult())));
                    if (answer.isDone()) {
                        return;
                    }
                    dialog.show();
                    if (dialog.getDialogPane().getScene().getWindow() instanceof Stage stage) {
                        stage.toFront();
                    }
                } catch (RuntimeException e) {
                    answer.completeExceptionally(e);
                }
            });
            return answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            log.warn("an SSH question was not answered within {} s; it was closed", timeout.toSeconds());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            log.error("an SSH question could not be shown", e.getCause());
            return Optional.empty();
        } finally {
            answer.complete(Optional.empty());
            Platform.runLater(() -> {
                Dialog<T> dialog = shown.get();
                if (dialog != null && dialog.isShowing()) {
                    closeUnanswered(dialog);
                }
            });
            turn.release();
        }
    }

    /** Closes a dialog nobody answered, dropping whatever was typed. */
    private static <T> void closeUnanswered(Dialog<T> dialog) {
        T partial = dialog.getResult();
        if (partial instanceof SecretDialog.Answer a) {
            Arrays.fill(a.secret(), '\0');
        }
        dialog.setResult(null);
        dialog.close();
    }
}
