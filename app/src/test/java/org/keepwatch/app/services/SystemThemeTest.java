package org.keepwatch.app.services;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SystemThemeTest {

    @TempDir
    Path dir;

    private SystemTheme theme(String script, Map<String, String> environment) throws IOException {
        Path gsettings = dir.resolve("gsettings");
        Files.writeString(gsettings, "#!/bin/sh\n" + script);
        Files.setPosixFilePermissions(gsettings, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new SystemTheme(gsettings.toString(), environment, Duration.ofMillis(500));
    }

    @Test
    void aDesktopThatPrefersDarkIsDark() throws IOException {
        assertTrue(theme("echo \"'prefer-dark'\"\n", Map.of()).prefersDark());
        assertFalse(theme("echo \"'default'\"\n", Map.of()).prefersDark());
    }

    @Test
    void gtkThemeDarkNeedsNoGsettings() throws IOException {
        assertTrue(theme("exit 1\n", Map.of("GTK_THEME", "Adwaita:dark")).prefersDark());
    }

    @Test
    void noGsettingsIsLight() {
        SystemTheme theme = new SystemTheme(dir.resolve("absent").toString(), Map.of(), Duration.ofMillis(500));
        assertFalse(theme.prefersDark());
    }

    /** The old code read the output to its end before waiting: a gsettings whose child keeps stdout open hung it. */
    @Test
    void aGsettingsThatNeverAnswersIsLightAndKilled() throws IOException {
        Path pid = dir.resolve("child.pid");
        SystemTheme theme = theme("echo \"'prefer-dark'\"\nsleep 600 &\necho $! > " + pid + "\nwait\n", Map.of());
        boolean dark = assertTimeoutPreemptively(Duration.ofSeconds(10), theme::prefersDark);
        assertFalse(dark, "an answer that never finished is no answer");
        long child = Long.parseLong(Files.readString(pid).strip());
        ProcessHandle.of(child).ifPresent(p -> p.onExit().join());
        assertFalse(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), "the helper's child was killed");
    }
}
