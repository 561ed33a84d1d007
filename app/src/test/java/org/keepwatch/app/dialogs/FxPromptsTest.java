package org.keepwatch.app.dialogs;

import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.secrets.Keyring;
import org.keepwatch.secrets.SecretToolKeyring;
import org.keepwatch.ssh.HostKeyDecision;
import org.keepwatch.ssh.HostKeyInfo;
import org.keepwatch.ssh.KnownHostKey;
import org.keepwatch.ssh.LoginTarget;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SSH's questions asked from an I/O thread, as the connector asks them, answered by clicking the dialogs; the
 * calling thread waits for the click, gives up after the timeout, and is never the FX thread.
 */
@ExtendWith(ApplicationExtension.class)
class FxPromptsTest {

    private static final LoginTarget GW_A = new LoginTarget("ops", "gw-a", 22, List.of());
    private static final HostKeyInfo KEY = new HostKeyInfo("10.77.0.11", 2222, "ssh-ed25519",
            "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8");
    @TempDir
    Path dir;
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        org.keepwatch.app.TestStages.blankOwner(stage);
    }

    private FxPrompts prompts(Keyring keyring, Duration timeout) {
        Supplier<Window> owner = () -> stage;
        return new FxPrompts(owner, keyring, timeout);
    }

    private static <T> CompletableFuture<T> onIoThread(Supplier<T> question) {
        return CompletableFuture.supplyAsync(question);
    }

    private static void awaitDialog(FxRobot robot, String id) throws Exception {
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#" + id).tryQuery()
                .filter(n -> n.getScene() != null && n.getScene().getWindow().isShowing() && n.isVisible()).isPresent());
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** OpenSSH's "keys of different type are already known": the dialog names them and warns of a man in the middle. */
    @Test
    void aKeyOfANewTypeForAKnownHostIsAskedWithTheKnownTypesAndAWarning(FxRobot robot) throws Exception {
        HostKeyInfo newType = new HostKeyInfo("10.77.0.11", 22, "ssh-rsa", "SHA256:rsarsarsa",
                List.of(new KnownHostKey("ecdsa-sha2-nistp256", "SHA256:knownknownknown",
                        Path.of("/home/ops/.ssh/known_hosts"), 7)));
        CompletableFuture<HostKeyDecision> answer = onIoThread(() -> prompts(Keyring.NONE, Duration.ofMinutes(1))
                .unknownHostKey(newType));
        awaitDialog(robot, "host-key-dialog");
        String warning = robot.lookup("#host-key-other-types").queryAs(Label.class).getText();
        assertThat(warning).contains("already known by a key of another type")
                .contains("ecdsa-sha2-nistp256 SHA256:knownknownknown (/home/ops/.ssh/known_hosts line 7)")
                .contains("ssh-rsa").contains("man in the middle");
        assertThat(robot.lookup("#host-key-type").queryAs(Label.class).getText()).isEqualTo("ssh-rsa");
        // Enter rejects: Reject stays the default button.
        robot.type(javafx.scene.input.KeyCode.ENTER);
        assertThat(answer.get(5, TimeUnit.SECONDS)).isEqualTo(HostKeyDecision.REJECT);
    }

    @Test
    void anUnknownHostKeyShowsWhatToCheckAndAcceptAndSaveAnswers(FxRobot robot) throws Exception {
        CompletableFuture<HostKeyDecision> answer = onIoThread(() -> prompts(Keyring.NONE, Duration.ofMinutes(1)).unknownHostKey(KEY));
        awaitDialog(robot, "host-key-dialog");
        assertThat(answer).isNotDone();
        assertThat(robot.lookup("#host-key-host").queryAs(Label.class).getText()).isEqualTo("10.77.0.11");
        assertThat(robot.lookup("#host-key-port").queryAs(Label.class).getText()).isEqualTo("2222");
        assertThat(robot.lookup("#host-key-type").queryAs(Label.class).getText()).isEqualTo("ssh-ed25519");
        assertThat(robot.lookup("#host-key-fingerprint").queryTextInputControl().getText()).isEqualTo(KEY.fingerprint());
        assertThat(robot.lookup("#host-key-check-command").queryTextInputControl().getText())
                .isEqualTo("ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub");
        robot.clickOn("#host-key-accept-save");
        assertThat(answer.get(5, TimeUnit.SECONDS)).isEqualTo(HostKeyDecision.ACCEPT_AND_SAVE);
    }

    @Test
    void acceptOnceAndRejectAnswerAsTheySay(FxRobot robot) throws Exception {
        FxPrompts prompts = prompts(Keyring.NONE, Duration.ofMinutes(1));
        CompletableFuture<HostKeyDecision> once = onIoThread(() -> prompts.unknownHostKey(KEY));
        awaitDialog(robot, "host-key-dialog");
        robot.clickOn("#host-key-accept-once");
        assertThat(once.get(5, TimeUnit.SECONDS)).isEqualTo(HostKeyDecision.ACCEPT_ONCE);
        CompletableFuture<HostKeyDecision> rejected = onIoThread(() -> prompts.unknownHostKey(KEY));
        awaitDialog(robot, "host-key-dialog");
        // Enter is Reject: nobody accepts a key by pressing Enter.
        robot.type(javafx.scene.input.KeyCode.ENTER);
        assertThat(rejected.get(5, TimeUnit.SECONDS)).isEqualTo(HostKeyDecision.REJECT);
    }

    @Test
    void anUnansweredQuestionTimesOutAsARejectionAndItsDialogCloses(FxRobot robot) throws Exception {
        CompletableFuture<HostKeyDecision> answer = onIoThread(() -> prompts(Keyring.NONE, Duration.ofMillis(700)).unknownHostKey(KEY));
        awaitDialog(robot, "host-key-dialog");
        assertThat(answer.get(5, TimeUnit.SECONDS)).isEqualTo(HostKeyDecision.REJECT);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#host-key-dialog").tryQuery().isEmpty());
    }

    @Test
    void onTheFxThreadItAnswersAtOnceWithoutADialog(FxRobot robot) {
        FxPrompts prompts = prompts(Keyring.NONE, Duration.ofMinutes(1));
        HostKeyDecision[] decision = new HostKeyDecision[1];
        robot.interact(() -> decision[0] = prompts.unknownHostKey(KEY));
        assertThat(decision[0]).isEqualTo(HostKeyDecision.REJECT);
        assertThat(robot.lookup("#host-key-dialog").tryQuery()).isEmpty();
    }

    @Test
    void questionsFromSeveralNodesComeOneAtATime(FxRobot robot) throws Exception {
        FxPrompts prompts = prompts(Keyring.NONE, Duration.ofMinutes(1));
        CompletableFuture<HostKeyDecision> first = onIoThread(() -> prompts.unknownHostKey(KEY));
        CompletableFuture<HostKeyDecision> second = onIoThread(() -> prompts.unknownHostKey(
                new HostKeyInfo("10.77.0.12", 22, "ecdsa-sha2-nistp256", "SHA256:other")));
        awaitDialog(robot, "host-key-dialog");
        Thread.sleep(300);
        assertThat(robot.lookup("#host-key-dialog").queryAll()).hasSize(1);
        robot.clickOn("#host-key-accept-once");
        awaitDialog(robot, "host-key-dialog");
        robot.clickOn("#host-key-reject");
        assertThat(java.util.List.of(first.get(5, TimeUnit.SECONDS), second.get(5, TimeUnit.SECONDS)))
                .containsExactlyInAnyOrder(HostKeyDecision.ACCEPT_ONCE, HostKeyDecision.REJECT);
    }

    @Test
    void aPasswordIsAskedForUserAtHostAndCancelGivesNothing(FxRobot robot) throws Exception {
        FxPrompts prompts = prompts(Keyring.NONE, Duration.ofMinutes(1));
        CompletableFuture<Optional<char[]>> answer = onIoThread(() -> prompts.password(GW_A, 1));
        awaitDialog(robot, "password-dialog");
        assertThat(robot.lookup("#password-dialog .header-panel .label").queryAs(Label.class).getText())
                .isEqualTo("Password for ops@gw-a");
        assertThat((Object) robot.lookup("#secret-field").query()).isInstanceOf(PasswordField.class);
        assertThat(robot.lookup("#secret-remember").tryQuery()).as("no keyring, no remember box").isEmpty();
        robot.clickOn("#secret-field").write("s3cret!");
        robot.clickOn("#secret-ok");
        assertThat(answer.get(5, TimeUnit.SECONDS)).hasValueSatisfying(p -> assertThat(new String(p)).isEqualTo("s3cret!"));

        CompletableFuture<Optional<char[]>> cancelled = onIoThread(() -> prompts.password(GW_A, 2));
        awaitDialog(robot, "password-dialog");
        assertThat(robot.lookup("#secret-retry").queryAs(Label.class).getText())
                .isEqualTo("The server refused that password. Try again (attempt 2).");
        robot.clickOn("Cancel");
        assertThat(cancelled.get(5, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void aPassphraseNamesTheKeyAndAKeyboardQuestionEchoesWhenTheServerSaysSo(FxRobot robot) throws Exception {
        FxPrompts prompts = prompts(Keyring.NONE, Duration.ofMinutes(1));
        Path key = dir.resolve("id_ed25519");
        CompletableFuture<Optional<char[]>> passphrase = onIoThread(() -> prompts.passphrase(key, 1));
        awaitDialog(robot, "passphrase-dialog");
        assertThat(robot.lookup("#passphrase-dialog .header-panel .label").queryAs(Label.class).getText())
                .isEqualTo("Passphrase for id_ed25519");
        robot.clickOn("#secret-field").write("correct horse");
        robot.clickOn("#secret-ok");
        assertThat(passphrase.get(5, TimeUnit.SECONDS)).hasValueSatisfying(p -> assertThat(new String(p)).isEqualTo("correct horse"));

        CompletableFuture<Optional<char[]>> code = onIoThread(() -> prompts.keyboardInteractive("ops", "gw-a",
                "Two-factor login", "Verification code: ", true));
        awaitDialog(robot, "keyboard-interactive-dialog");
        assertThat((Object) robot.lookup("#secret-field").query()).isInstanceOf(TextField.class).isNotInstanceOf(PasswordField.class);
        robot.clickOn("#secret-field").write("123456");
        robot.clickOn("#secret-ok");
        assertThat(code.get(5, TimeUnit.SECONDS)).hasValueSatisfying(p -> assertThat(new String(p)).isEqualTo("123456"));
    }

    @Test
    void aRememberedPasswordComesFromTheKeyringAndARefusedOneIsAskedForAgain(FxRobot robot) throws Exception {
        Path tool = FakeSecretTool.install(dir);
        Keyring keyring = new SecretToolKeyring(tool, Map.of("PATH", "/usr/bin:/bin"));
        FxPrompts prompts = prompts(keyring, Duration.ofMinutes(1));

        CompletableFuture<Optional<char[]>> first = onIoThread(() -> prompts.password(GW_A, 1));
        awaitDialog(robot, "password-dialog");
        robot.clickOn("#secret-field").write("kept-in-keyring");
        robot.clickOn("#secret-remember");
        robot.clickOn("#secret-ok");
        assertThat(first.get(5, TimeUnit.SECONDS)).hasValueSatisfying(p -> assertThat(new String(p)).isEqualTo("kept-in-keyring"));

        // The next connection gets it without a dialog.
        Optional<char[]> again = onIoThread(() -> prompts.password(GW_A, 1)).get(5, TimeUnit.SECONDS);
        assertThat(again).hasValueSatisfying(p -> assertThat(new String(p)).isEqualTo("kept-in-keyring"));
        assertThat(robot.lookup("#password-dialog").tryQuery()).isEmpty();

        // The server refused it: the person is asked, with "remember" ticked; unticking drops the stored one.
        CompletableFuture<Optional<char[]>> retry = onIoThread(() -> prompts.password(GW_A, 2));
        awaitDialog(robot, "password-dialog");
        assertThat(robot.lookup("#secret-remember").queryAs(javafx.scene.control.CheckBox.class).isSelected()).isTrue();
        robot.clickOn("#secret-field").write("typed-once");
        robot.clickOn("#secret-remember");
        robot.clickOn("#secret-ok");
        assertThat(retry.get(5, TimeUnit.SECONDS)).hasValueSatisfying(p -> assertThat(new String(p)).isEqualTo("typed-once"));
        assertThat(keyring.lookup(new Keyring.Key("", Map.of("kind", "ssh-password", "user", "ops", "host", "gw-a",
                "port", "22", "via", "direct")))).isEmpty();

        String commandLines = Files.readString(dir.resolve("args.log"));
        assertThat(commandLines).contains("store --label=Keepwatch: password of ops@gw-a application keepwatch host gw-a "
                        + "kind ssh-password port 22 user ops via direct")
                .doesNotContain("kept-in-keyring").doesNotContain("typed-once");
    }

    @Test
    void aSudoPasswordSaysWhereItGoesIsNotKeptUnlessTickedAndItsSecondAskIsTheLast(FxRobot robot) throws Exception {
        Path tool = FakeSecretTool.install(dir);
        Keyring keyring = new SecretToolKeyring(tool, Map.of("PATH", "/usr/bin:/bin"));
        FxPrompts prompts = prompts(keyring, Duration.ofMinutes(1));
        LoginTarget alice = new LoginTarget("alice", "10.77.0.15", 22, List.of("kwjump@10.77.0.5:22"));

        CompletableFuture<Optional<char[]>> first = onIoThread(() -> prompts.sudoPassword(alice, "n5", 1));
        awaitDialog(robot, "sudo-password-dialog");
        assertThat(robot.lookup("#sudo-password-dialog .header-panel .label").queryAs(Label.class).getText())
                .isEqualTo("sudo password of alice on n5");
        assertThat(robot.lookup("#sudo-password-dialog .content .label").queryAllAs(Label.class))
                .extracting(Label::getText).anySatisfy(text -> assertThat(text).isEqualTo("sudo on n5 (10.77.0.15 "
                        + "through kwjump@10.77.0.5:22) asks for alice's password to start the agent as root. It is sent "
                        + "only to sudo on that node, kept in memory for this session's reconnects, and written nowhere "
                        + "else."));
        assertThat((Object) robot.lookup("#secret-field").query()).isInstanceOf(PasswordField.class);
        assertThat(robot.lookup("#secret-remember").queryAs(javafx.scene.control.CheckBox.class).isSelected())
                .as("the keyring only when chosen").isFalse();
        robot.clickOn("#secret-field").write("sudo-s3cret");
        robot.clickOn("#secret-ok");
        assertThat(first.get(5, TimeUnit.SECONDS)).hasValueSatisfying(p -> assertThat(new String(p)).isEqualTo("sudo-s3cret"));
        assertThat(dir.resolve("args.log")).satisfiesAnyOf(
                log -> assertThat(log).doesNotExist(),
                log -> assertThat(Files.readString(log)).doesNotContain("store"));

        CompletableFuture<Optional<char[]>> last = onIoThread(() -> prompts.sudoPassword(alice, "n5", 2));
        awaitDialog(robot, "sudo-password-dialog");
        assertThat(robot.lookup("#secret-retry").queryAs(Label.class).getText()).isEqualTo("sudo refused that "
                + "password. This is the last try: Keepwatch stops after two, so retries do not lock the account. "
                + "Try again (attempt 2).");
        robot.clickOn("#secret-field").write("kept");
        robot.clickOn("#secret-remember");
        robot.clickOn("#secret-ok");
        assertThat(last.get(5, TimeUnit.SECONDS)).hasValueSatisfying(p -> assertThat(new String(p)).isEqualTo("kept"));
        assertThat(Files.readString(dir.resolve("args.log"))).contains("store --label=Keepwatch: sudo password of "
                + "alice on n5 (alice@10.77.0.15 via kwjump@10.77.0.5:22) application keepwatch host 10.77.0.15 kind "
                + "sudo-password node n5 port 22 user alice via kwjump@10.77.0.5:22").doesNotContain("kept\n");
    }

    @Test
    void aPasswordSavedByUserAndHostAloneIsReadOnlyForADirectLoginOnPort22(FxRobot robot) throws Exception {
        Keyring keyring = new SecretToolKeyring(FakeSecretTool.install(dir), Map.of("PATH", "/usr/bin:/bin"));
        // As Keepwatch saved passwords before the port and jump hosts were part of the entry.
        keyring.store(new Keyring.Key("Keepwatch: password of ops@gw-a", Map.of("kind", "password", "user", "ops",
                "host", "gw-a")), "saved-before".toCharArray());
        FxPrompts prompts = prompts(keyring, Duration.ofMinutes(1));
        assertThat(onIoThread(() -> prompts.password(GW_A, 1)).get(5, TimeUnit.SECONDS))
                .hasValueSatisfying(p -> assertThat(new String(p)).isEqualTo("saved-before"));
        assertThat(robot.lookup("#password-dialog").tryQuery()).isEmpty();

        // Typed for one of these, or for another machine of that name: not handed out, the person is asked.
        Map<LoginTarget, String> elsewhere = Map.of(
                new LoginTarget("ops", "gw-a", 2222, List.of()), "Password for ops@gw-a:2222",
                new LoginTarget("ops", "gw-a", 22, List.of("ops@bastion:22")), "Password for ops@gw-a");
        for (Map.Entry<LoginTarget, String> login : elsewhere.entrySet()) {
            CompletableFuture<Optional<char[]>> asked = onIoThread(() -> prompts.password(login.getKey(), 1));
            awaitDialog(robot, "password-dialog");
            assertThat(robot.lookup("#password-dialog .header-panel .label").queryAs(Label.class).getText())
                    .isEqualTo(login.getValue());
            robot.clickOn("Cancel");
            assertThat(asked.get(5, TimeUnit.SECONDS)).as(login.getKey().description()).isEmpty();
        }
    }

    @Test
    void withoutSecretToolThePromptSaysPasswordsAreAskedEveryTime(FxRobot robot) throws Exception {
        Keyring none = SecretToolKeyring.find(Map.of("PATH", dir.toString()));
        assertThat(none.available()).isFalse();
        CompletableFuture<Optional<char[]>> answer = onIoThread(() -> prompts(none, Duration.ofMinutes(1)).password(GW_A, 1));
        awaitDialog(robot, "password-dialog");
        assertThat(robot.lookup(".label").queryAllAs(Label.class)).extracting(Label::getText).contains(
                "Asked every time: secret-tool is not installed (apt-get install libsecret-tools), so passwords cannot "
                        + "be kept in the desktop keyring.");
        robot.clickOn("Cancel");
        assertThat(answer.get(5, TimeUnit.SECONDS)).isEmpty();
    }
}
