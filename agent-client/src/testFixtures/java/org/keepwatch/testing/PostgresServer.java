package org.keepwatch.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real, throwaway PostgreSQL server for the tests: a cluster made by initdb in a temporary directory, started by
 * pg_ctl on a free port of 127.0.0.1 (trust authentication, nothing else listening), stopped and deleted when the
 * JVM ends. As root it runs as the {@code postgres} user (PostgreSQL refuses root). The binaries are Debian's
 * ({@code /usr/lib/postgresql/VERSION/bin}); where they are missing {@link #binaries()} is empty and the tests say
 * so in their skip reason (.ci/run installs them, so CI never skips).
 */
public final class PostgresServer {

    private static final Path DEBIAN = Path.of("/usr/lib/postgresql");
    private static final String USER = "kw";
    private static final Object LOCK = new Object();
    private static PostgresServer shared;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final Path bin;
    private final Path directory;
    private final int port;
    private final boolean asPostgres;

    private PostgresServer(Path bin, Path directory, int port, boolean asPostgres) {
        this.bin = bin;
        this.directory = directory;
        this.port = port;
        this.asPostgres = asPostgres;
    }

    /** The newest installed PostgreSQL's bin directory, if any. */
    public static Optional<Path> binaries() {
        if (!Files.isDirectory(DEBIAN)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(DEBIAN)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb"))
                            && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparing(p -> p.getParent().getFileName().toString()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Why the PostgreSQL tests cannot run here, for their skip message. */
    public static String missing() {
        return "PostgreSQL's server binaries (initdb, pg_ctl) are not installed under " + DEBIAN
                + " (apt-get install postgresql; .ci/run installs it)";
    }

    /** The one server of this JVM, started on first use. */
    public static PostgresServer shared() {
        synchronized (LOCK) {
            if (shared == null) {
                shared = start(binaries().orElseThrow(() -> new IllegalStateException(missing())));
                PostgresServer server = shared;
                Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "postgres-test-stop"));
            }
            return shared;
        }
    }

    /** A new empty database on the shared server, as a JDBC URL. */
    public static String newDatabase() {
        PostgresServer server = shared();
        String name = "kwtest_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        try (Connection admin = DriverManager.getConnection(server.url("postgres"));
             Statement s = admin.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("creating test database " + name + ": " + e.getMessage(), e);
        }
        return server.url(name);
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + USER;
    }

    private static PostgresServer start(Path bin) {
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            Path directory = Files.createTempDirectory("kw-postgres-");
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            PostgresServer server = new PostgresServer(bin, directory, port, root);
            if (root) {
                run(List.of("chown", "postgres:postgres", directory.toString()));
            }
            server.pg(List.of(bin.resolve("initdb").toString(), "-D", directory.resolve("data").toString(), "-U", USER,
                    "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"));
            server.pg(List.of(bin.resolve("pg_ctl").toString(), "-D", directory.resolve("data").toString(), "-w", "-t", "60",
                    "-l", directory.resolve("log").toString(), "-o",
                    "-p " + port + " -k " + directory + " -c listen_addresses=127.0.0.1 -c fsync=off", "start"));
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("starting a test PostgreSQL: " + e.getMessage(), e);
        }
    }

    private void stop() {
        try {
            pg(List.of(bin.resolve("pg_ctl").toString(), "-D", directory.resolve("data").toString(), "-m", "immediate", "-w", "stop"));
        } catch (IOException | IllegalStateException e) {
            // the JVM is ending: the directory goes all the same
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is all that is lost
        }
    }

    private void pg(List<String> command) throws IOException {
        List<String> full = new ArrayList<>();
        if (asPostgres) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        run(full);
    }

    private static void run(List<String> command) throws IOException {
        // into a file, not a pipe: the server pg_ctl starts would hold a pipe open for as long as it runs
        Path output = Files.createTempFile("kw-postgres-", ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not end in 90 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        String said = Files.readString(output);
        Files.deleteIfExists(output);
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + process.exitValue() + "): " + said);
        }
    }
}
