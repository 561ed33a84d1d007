package org.keepwatch.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * What a test needs of the machine it runs on. A missing command fails the test with the Debian package
 * that brings it, instead of skipping it silently or failing later with an unrelated symptom (a test that
 * ran {@code sudo} on a machine without it once failed on a wrong answer, far from the cause). Only root
 * is an assumption: tests that need it are skipped for an ordinary user, as README says.
 */
public final class RequiredCommands {

    /** Where root's commands live, which an ordinary user's PATH often lacks (keepalived is in /usr/sbin). */
    private static final List<String> SBIN_DIRS = List.of("/usr/local/sbin", "/usr/sbin", "/sbin");

    private RequiredCommands() {
    }

    /** The absolute path of {@code command}; fails the test naming {@code debianPackage} when it is not installed. */
    public static Path require(String command, String debianPackage) {
        return find(command).orElseGet(() -> fail(missing("`" + command + "`", debianPackage)));
    }

    /** Fails the test naming {@code debianPackage} when the file it ships (a man page, say) is absent. */
    public static Path requireFile(Path file, String debianPackage) {
        if (!Files.exists(file)) {
            fail(missing(file.toString(), debianPackage));
        }
        return file;
    }

    /** Skips the test unless it runs as root, saying why it needs root. */
    public static void assumeRoot(String why) {
        Assumptions.assumeTrue(isRoot(), "needs root: " + why);
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The command on PATH or in the sbin directories, if installed. */
    public static Optional<Path> find(String command) {
        Set<String> dirs = new LinkedHashSet<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.addAll(SBIN_DIRS);
        List<Path> candidates = new ArrayList<>();
        for (String dir : dirs) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, command));
            }
        }
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    private static String missing(String what, String debianPackage) {
        return "this test needs " + what + ", which is not installed here: apt-get install " + debianPackage
                + " (Debian/Ubuntu package " + debianPackage + ")";
    }
}
