package org.keepwatch.secrets;

import org.keepwatch.testing.RequiredCommands;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The keyring against a real Secret Service: a private D-Bus session with gnome-keyring in a temporary home,
 * where libsecret-tools and gnome-keyring are installed (skipped elsewhere).
 */
class SecretToolKeyringTest {

    @TempDir
    Path home;
    private Process bus;
    private Process keyringDaemon;

    @AfterEach
    void stop() {
        if (keyringDaemon != null) {
            keyringDaemon.destroy();
        }
        if (bus != null) {
            bus.destroy();
        }
    }

    @Test
    void storesLooksUpAndClearsASecretThroughSecretTool() throws Exception {
        Path secretTool = RequiredCommands.require("secret-tool", "libsecret-tools");
        RequiredCommands.require("gnome-keyring-daemon", "gnome-keyring");
        RequiredCommands.require("dbus-daemon", "dbus-daemon");
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("XDG_DATA_HOME", Files.createDirectories(home.resolve(".local/share/keyrings")).getParent().toString());
        env.put("XDG_RUNTIME_DIR", Files.createDirectories(home.resolve("run")).toString());
        env.put("PATH", System.getenv("PATH"));
        ProcessBuilder busBuilder = new ProcessBuilder("dbus-daemon", "--session", "--nofork", "--print-address=1");
        busBuilder.environment().putAll(env);
        bus = busBuilder.redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String address = new BufferedReader(new InputStreamReader(bus.getInputStream(), StandardCharsets.UTF_8)).readLine();
        env.put("DBUS_SESSION_BUS_ADDRESS", address);
        ProcessBuilder daemon = new ProcessBuilder("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets");
        daemon.environment().putAll(env);
        keyringDaemon = daemon.redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream stdin = keyringDaemon.getOutputStream()) {
            stdin.write("unlock-for-test".getBytes(StandardCharsets.UTF_8));
        }
        SecretToolKeyring keyring = new SecretToolKeyring(secretTool, env);
        Keyring.Key key = new Keyring.Key("Keepwatch: password of ops@gw-a",
                Map.of("kind", "password", "user", "ops", "host", "gw-a"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!keyring.available() && System.nanoTime() < deadline) {
            Thread.sleep(200);
            keyring = new SecretToolKeyring(secretTool, env);
        }
        assertThat(keyring.available()).isTrue();

        keyring.store(key, "pässwörd with spaces".toCharArray());
        assertThat(keyring.lookup(key)).hasValueSatisfying(s -> assertThat(new String(s)).isEqualTo("pässwörd with spaces"));
        keyring.clear(key);
        assertThat(keyring.lookup(key)).isEmpty();
    }

    @Test
    void aSecretToolThatNeverAnswersIsKilledAtTheTimeoutAndGivesNothing() throws Exception {
        // A keyring that never unlocks, or a hung D-Bus: secret-tool neither answers nor exits. Its output was read to
        // the end before the timeout was looked at, so the timeout never fired and the connecting thread hung.
        Path pidFile = home.resolve("secret-tool.pid");
        Path standIn = Files.writeString(home.resolve("secret-tool"), "#!/bin/sh\necho $$ > '" + pidFile
                + "'\nexec sleep 3600\n");
        Files.setPosixFilePermissions(standIn, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        SecretToolKeyring keyring = new SecretToolKeyring(standIn, Map.of("PATH", "/usr/bin:/bin"), Duration.ofSeconds(1));
        Keyring.Key key = new Keyring.Key("Keepwatch: password of ops@gw-a",
                Map.of("kind", "password", "user", "ops", "host", "gw-a"));

        Optional<char[]> found = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> keyring.lookup(key),
                "the keyring's timeout did not fire");
        assertThat(found).isEmpty();
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("the stand-in was killed").isNotEqualTo(
                Optional.of(true));
        assertThat(assertTimeoutPreemptively(Duration.ofSeconds(30), keyring::available)).isFalse();
    }

    @Test
    void withoutASessionBusItIsNotAvailable() {
        Path secretTool = RequiredCommands.require("secret-tool", "libsecret-tools");
        SecretToolKeyring keyring = new SecretToolKeyring(secretTool, Map.of("HOME", home.toString(),
                "DBUS_SESSION_BUS_ADDRESS", "unix:path=" + home.resolve("no-bus")));
        assertThat(keyring.available()).isFalse();
    }

}
