package org.keepwatch.history;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * The history's tables on one JDBC database, SQLite or PostgreSQL: opened and migrated, written in batches (by the
 * store's one writer thread, on its own connection) and read (on a second connection, so a long read never holds up
 * the writer: SQLite's WAL lets one writer and readers work at once).
 */
final class Database implements AutoCloseable {

    /** The migrations in order; each file's number is its schema version. Add new ones at the end, never edit one. */
    static final List<String> MIGRATIONS = List.of("001-events-and-configurations.sql");
    private static final String MIGRATION_DIRECTORY = "/org/keepwatch/history/migrations/";
    private static final long MIGRATION_LOCK = 0x6b77686973746f72L; // "kwhistor": PostgreSQL's advisory lock key
    private static final String EVENT_COLUMNS = "id, at, node_at, kind, router, node, daemon, instance, from_state, "
            + "to_state, operator, summary, detail";

    private final HistorySettings settings;
    private final boolean sqlite;
    private final Connection writer;
    private final Connection reader;

    private Database(HistorySettings settings, Connection writer, Connection reader) {
        this.settings = settings;
        this.sqlite = settings.sqlite();
        this.writer = writer;
        this.reader = reader;
    }

    /** Opens the database (creating a SQLite file, private to its user) and brings its schema up to date. */
    static Database open(HistorySettings settings) {
        String where = describe(settings.url());
        Connection writer = null;
        Connection reader = null;
        try {
            if (settings.sqlite() && prepareFile(Path.of(settings.url().substring("jdbc:sqlite:".length())))) {
                // a new file: incremental vacuum must be chosen before anything is written to it, WAL's header included
                try (Connection fresh = DriverManager.getConnection(settings.url()); Statement s = fresh.createStatement()) {
                    s.execute("PRAGMA auto_vacuum = INCREMENTAL");
                    s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
                }
            }
            writer = connect(settings, true);
            reader = connect(settings, false);
            Database database = new Database(settings, writer, reader);
            database.migrate();
            return database;
        } catch (SQLException e) {
            closeQuietly(writer);
            closeQuietly(reader);
            throw new HistoryException(where + ": " + explain(e), e);
        } catch (IOException e) {
            throw new HistoryException(where + ": " + e.getMessage(), e);
        }
    }

    /** The database in words, without a password a URL might carry. */
    static String describe(String url) {
        return url.startsWith("jdbc:sqlite:") ? url.substring("jdbc:sqlite:".length()) : url.replaceAll("password=[^&]*", "password=…");
    }

    boolean sqlite() {
        return sqlite;
    }

    String where() {
        return describe(settings.url());
    }

    // ---- writing (the writer thread only) ------------------------------------------------------

    void write(List<HistoryEvent> events, Map<List<String>, String> instances, List<VersionRow> versions) throws SQLException {
        write(events, instances, versions, List.of());
    }

    void write(List<HistoryEvent> events, Map<List<String>, String> instances, List<VersionRow> versions,
               List<Correction> corrections) throws SQLException {
        writer.setAutoCommit(false);
        try {
            for (Correction c : corrections) {
                update("UPDATE config_versions SET source = 'keepwatch', operator = ?, at = ? WHERE id = ?", c.operator(),
                        c.at().toEpochMilli(), c.versionId());
                update("DELETE FROM events WHERE kind = 'hand-edit' AND node = ? AND COALESCE(daemon, '') = ? AND at = ?",
                        c.read().node(), c.read().daemon(), c.read().at().toEpochMilli());
            }
            if (!instances.isEmpty()) {
                try (PreparedStatement insert = writer.prepareStatement("INSERT INTO instances (node, daemon, instance, router) "
                        + "VALUES (?, ?, ?, ?) ON CONFLICT (node, daemon, instance) DO UPDATE SET router = excluded.router")) {
                    for (Map.Entry<List<String>, String> entry : instances.entrySet()) {
                        insert.setString(1, entry.getKey().get(0));
                        insert.setString(2, entry.getKey().get(1));
                        insert.setString(3, entry.getKey().get(2));
                        insert.setString(4, entry.getValue());
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
            }
            if (!versions.isEmpty()) {
                try (PreparedStatement blob = writer.prepareStatement(
                        "INSERT INTO config_blobs (sha256, size, text) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING");
                     PreparedStatement version = writer.prepareStatement("INSERT INTO config_versions "
                             + "(at, node, daemon, path, sha256, source, operator) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                    for (VersionRow row : versions) {
                        blob.setString(1, row.version().sha256());
                        blob.setInt(2, row.text().getBytes(StandardCharsets.UTF_8).length);
                        blob.setString(3, row.text());
                        blob.addBatch();
                        ConfigVersion v = row.version();
                        version.setLong(1, v.at().toEpochMilli());
                        version.setString(2, v.node());
                        version.setString(3, v.daemon());
                        version.setString(4, v.path());
                        version.setString(5, v.sha256());
                        version.setString(6, v.source());
                        setOptional(version, 7, v.operator());
                        version.addBatch();
                    }
                    blob.executeBatch();
                    version.executeBatch();
                }
            }
            if (!events.isEmpty()) {
                try (PreparedStatement insert = writer.prepareStatement("INSERT INTO events (at, node_at, kind, router, node, "
                        + "daemon, instance, from_state, to_state, operator, summary, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    for (HistoryEvent e : events) {
                        insert.setLong(1, e.at().toEpochMilli());
                        if (e.nodeAt().isPresent()) {
                            insert.setLong(2, e.nodeAt().get().toEpochMilli());
                        } else {
                            insert.setNull(2, Types.BIGINT);
                        }
                        insert.setString(3, e.kind().word());
                        setOptional(insert, 4, e.router());
                        setOptional(insert, 5, e.node());
                        setOptional(insert, 6, e.daemon());
                        setOptional(insert, 7, e.instance());
                        setOptional(insert, 8, e.from());
                        setOptional(insert, 9, e.to());
                        setOptional(insert, 10, e.operator());
                        insert.setString(11, e.summary());
                        setOptional(insert, 12, e.detail());
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
            }
            writer.commit();
        } catch (SQLException e) {
            rollbackQuietly(writer);
            throw e;
        } finally {
            writer.setAutoCommit(true);
        }
    }

    /** A configuration version to store, with its text (stored once per sha256). */
    record VersionRow(ConfigVersion version, String text) {
    }

    /** A stored version read back from Keepwatch's own write, taken for a hand edit: it is the action's ({@code operator}'s). */
    record Correction(long versionId, String operator, Instant at, ConfigVersion read) {
    }

    /** Deletes what is older than the age limit, then the oldest events until the store fits its size; returns how many events went. */
    long retain(Instant now) throws SQLException {
        long cutoff = now.minus(settings.maxAge()).toEpochMilli();
        long deleted = 0;
        try {
            // each statement its own transaction (autocommit): the writer never holds the database for long
            deleted += update("DELETE FROM events WHERE at < ?", cutoff);
            update("DELETE FROM config_versions WHERE at < ? AND id NOT IN (SELECT MAX(id) FROM config_versions "
                    + "GROUP BY node, daemon, path)", cutoff);
            update("DELETE FROM config_blobs WHERE sha256 NOT IN (SELECT sha256 FROM config_versions)");
            reclaim();
            while (size() > settings.maxBytes()) {
                long count = count("SELECT COUNT(*) FROM events");
                if (count == 0) {
                    break;
                }
                // the oldest tenth (at least 1,000) at a time, by id: ids follow the order events were written
                long upTo = count("SELECT MAX(id) FROM (SELECT id FROM events ORDER BY id LIMIT "
                        + Math.max(1_000, count / 10) + ") oldest");
                deleted += update("DELETE FROM events WHERE id <= ?", upTo);
                reclaim();
            }
            return deleted;
        } catch (SQLException e) {
            rollbackQuietly(writer);
            throw e;
        }
    }

    /** What the history takes on disk now (SQLite: its pages in use; PostgreSQL: its tables with their indexes). */
    long size() throws SQLException {
        if (sqlite) {
            return count("PRAGMA page_size") * (count("PRAGMA page_count") - count("PRAGMA freelist_count"));
        }
        return count("SELECT pg_total_relation_size('events') + pg_total_relation_size('instances') "
                + "+ pg_total_relation_size('config_blobs') + pg_total_relation_size('config_versions')");
    }

    private void reclaim() throws SQLException {
        if (sqlite) {
            // gives the deleted pages back to the file system (executeUpdate steps the pragma to its end)
            try (Statement s = writer.createStatement()) {
                s.executeUpdate("PRAGMA incremental_vacuum");
                // in WAL mode the file shrinks when the log is written back into it
                s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            }
        }
    }

    // ---- reading ------------------------------------------------------------------------------

    synchronized HistoryPage query(HistoryQuery q) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + EVENT_COLUMNS + " FROM events WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        q.since().ifPresent(t -> {
            sql.append(" AND at >= ?");
            args.add(t.toEpochMilli());
        });
        q.until().ifPresent(t -> {
            sql.append(" AND at < ?");
            args.add(t.toEpochMilli());
        });
        if (q.router().isPresent()) {
            List<String> routers = routersNamed(q.router().get());
            sql.append(" AND router IN (").append(placeholders(routers.size())).append(")");
            args.addAll(routers);
        }
        q.node().ifPresent(n -> {
            sql.append(" AND node = ?");
            args.add(n);
        });
        if (!q.kinds().isEmpty()) {
            sql.append(" AND kind IN (").append(placeholders(q.kinds().size())).append(")");
            q.kinds().stream().map(HistoryEvent.Kind::word).sorted().forEach(args::add);
        }
        q.text().ifPresent(t -> {
            String like = "%" + t.toLowerCase().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
            sql.append(" AND (LOWER(summary) LIKE ? ESCAPE '\\' OR LOWER(detail) LIKE ? ESCAPE '\\')");
            args.add(like);
            args.add(like);
        });
        if (q.after().isPresent()) {
            long[] cursor = cursor(q.after().get());
            String op = q.newestFirst() ? "<" : ">";
            sql.append(" AND (at ").append(op).append(" ? OR (at = ? AND id ").append(op).append(" ?))");
            args.add(cursor[0]);
            args.add(cursor[0]);
            args.add(cursor[1]);
        }
        String direction = q.newestFirst() ? " DESC" : "";
        sql.append(" ORDER BY at").append(direction).append(", id").append(direction).append(" LIMIT ").append(q.limit() + 1);
        List<HistoryEvent> events = new ArrayList<>();
        try (PreparedStatement select = reader.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                select.setObject(i + 1, args.get(i));
            }
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    events.add(event(rows));
                }
            }
        } finally {
            endRead();
        }
        if (events.size() <= q.limit()) {
            return new HistoryPage(events, Optional.empty());
        }
        events = events.subList(0, q.limit());
        HistoryEvent last = events.get(events.size() - 1);
        return new HistoryPage(events, Optional.of(last.at().toEpochMilli() + "." + last.id()));
    }

    /** Every instance ever seen and its state at {@code at}: its last transition up to then (one index seek each). */
    synchronized List<InstanceAsOf> asOf(Instant at) throws SQLException {
        String sql = "SELECT i.node, i.daemon, i.instance, i.router, "
                + "(SELECT e.to_state FROM events e WHERE e.node = i.node AND e.daemon = i.daemon AND e.instance = i.instance "
                + "AND e.at <= ? ORDER BY e.at DESC, e.id DESC LIMIT 1) AS state, "
                + "(SELECT e.at FROM events e WHERE e.node = i.node AND e.daemon = i.daemon AND e.instance = i.instance "
                + "AND e.at <= ? ORDER BY e.at DESC, e.id DESC LIMIT 1) AS since FROM instances i ORDER BY i.router, i.node";
        List<InstanceAsOf> result = new ArrayList<>();
        try (PreparedStatement select = reader.prepareStatement(sql)) {
            select.setLong(1, at.toEpochMilli());
            select.setLong(2, at.toEpochMilli());
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    long since = rows.getLong(6);
                    boolean known = !rows.wasNull();
                    result.add(new InstanceAsOf(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
                            Optional.ofNullable(rows.getString(5)), known ? Optional.of(Instant.ofEpochMilli(since)) : Optional.empty()));
                }
            }
        } finally {
            endRead();
        }
        return result;
    }

    /** The versions of a node's configuration files, oldest first (one daemon's, or all when {@code daemon} is empty). */
    synchronized List<ConfigVersion> versions(String node, Optional<String> daemon, Optional<String> path) throws SQLException {
        return changes(node, daemon, path).stream().map(ConfigChange::version).toList();
    }

    /**
     * The versions of a node's configuration files, oldest first, each with the push, restore or hand edit the history
     * kept of it: the action's event has the version's node, daemon and time (the service that acted journals both with
     * one instant), a hand edit's event the time of the read that noticed it. One index seek per version.
     */
    synchronized List<ConfigChange> changes(String node, Optional<String> daemon, Optional<String> path) throws SQLException {
        String sql = "SELECT v.id, v.at, v.node, v.daemon, v.path, v.sha256, v.source, v.operator, e.id, e.kind, e.operator, e.detail "
                + "FROM config_versions v LEFT JOIN events e ON e.node IS NOT NULL AND e.node = v.node AND e.at = v.at "
                + "AND e.kind IN ('push', 'restore', 'hand-edit') AND COALESCE(e.daemon, '') = v.daemon WHERE v.node = ?"
                + (daemon.isPresent() ? " AND v.daemon = ?" : "") + (path.isPresent() ? " AND v.path = ?" : "")
                + " ORDER BY v.at, v.id, e.id";
        java.util.LinkedHashMap<Long, ConfigChange> result = new java.util.LinkedHashMap<>();
        try (PreparedStatement select = reader.prepareStatement(sql)) {
            int i = 1;
            select.setString(i++, node);
            if (daemon.isPresent()) {
                select.setString(i++, daemon.get());
            }
            if (path.isPresent()) {
                select.setString(i, path.get());
            }
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    ConfigVersion version = new ConfigVersion(rows.getLong(1), Instant.ofEpochMilli(rows.getLong(2)), rows.getString(3),
                            rows.getString(4), rows.getString(5), rows.getString(6), rows.getString(7),
                            Optional.ofNullable(rows.getString(8)));
                    ConfigChange.Origin origin = ConfigChange.originOf(version.source());
                    long eventId = rows.getLong(9);
                    boolean hasEvent = !rows.wasNull();
                    String kind = rows.getString(10);
                    ConfigChange known = result.get(version.id());
                    boolean fits = hasEvent && (origin == ConfigChange.Origin.OUTSIDE ? kind.equals("hand-edit") : origin == ConfigChange.Origin.PUSH
                            && !kind.equals("hand-edit"));
                    if (known != null && (known.event().isPresent() || !fits)) {
                        continue;
                    }
                    if (!fits) {
                        result.put(version.id(), new ConfigChange(version, origin, version.operator(), Optional.empty(), Optional.empty()));
                        continue;
                    }
                    if (kind.equals("restore")) {
                        origin = ConfigChange.Origin.RESTORE;
                    }
                    Optional<String> who = Optional.ofNullable(rows.getString(11)).or(version::operator);
                    result.put(version.id(), new ConfigChange(version, origin, who, reasonOf(rows.getString(12)), Optional.of(eventId)));
                }
            }
        } finally {
            endRead();
        }
        return List.copyOf(result.values());
    }

    /** The reason of an action as {@link HistoryRecorder#action} writes its detail: a first line "Reason: ...". */
    static Optional<String> reasonOf(String detail) {
        if (detail == null || !detail.startsWith("Reason: ")) {
            return Optional.empty();
        }
        int end = detail.indexOf('\n');
        String reason = (end < 0 ? detail.substring(8) : detail.substring(8, end)).strip();
        return reason.isEmpty() ? Optional.empty() : Optional.of(reason);
    }

    /** The last version of one file Keepwatch knew, read on the writer's connection (it decides what is a hand edit). */
    Optional<ConfigVersion> latest(String node, String daemon, String path) throws SQLException {
        try (PreparedStatement select = writer.prepareStatement("SELECT id, at, sha256, source, operator FROM config_versions "
                + "WHERE node = ? AND daemon = ? AND path = ? ORDER BY at DESC, id DESC LIMIT 1")) {
            select.setString(1, node);
            select.setString(2, daemon);
            select.setString(3, path);
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                return Optional.of(new ConfigVersion(rows.getLong(1), Instant.ofEpochMilli(rows.getLong(2)), node, daemon, path,
                        rows.getString(3), rows.getString(4), Optional.ofNullable(rows.getString(5))));
            }
        }
    }

    /** The text of a configuration version by its sha256, on the writer's connection ({@code forWriter}) or the reader's. */
    Optional<String> text(String sha256, boolean forWriter) throws SQLException {
        Connection connection = forWriter ? writer : reader;
        synchronized (forWriter ? writer : this) {
            try (PreparedStatement select = connection.prepareStatement("SELECT text FROM config_blobs WHERE sha256 = ?")) {
                select.setString(1, sha256);
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
                }
            }
        }
    }

    long count(String sql, Object... args) throws SQLException {
        try (PreparedStatement select = writer.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                select.setObject(i + 1, args[i]);
            }
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? rows.getLong(1) : 0;
            }
        }
    }

    @Override
    public void close() {
        closeQuietly(writer);
        synchronized (this) {
            closeQuietly(reader);
        }
    }

    // ---- internals ----------------------------------------------------------------------------

    private List<String> routersNamed(String name) throws SQLException {
        List<String> routers = new ArrayList<>();
        routers.add(name);
        if (name.indexOf(':') >= 0) {
            // a router as stored (GROUP:ID): matched exactly, so the query is one seek of the router index (a timeline)
            return routers;
        }
        try (PreparedStatement select = reader.prepareStatement(
                "SELECT DISTINCT router FROM instances WHERE router LIKE ? ESCAPE '\\'")) {
            select.setString(1, "%:" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    if (!routers.contains(rows.getString(1))) {
                        routers.add(rows.getString(1));
                    }
                }
            }
        }
        return routers;
    }

    private void endRead() {
        // reads run in autocommit: each its own snapshot, no transaction left open to hold up a writer
    }

    private static HistoryEvent event(ResultSet rows) throws SQLException {
        long nodeAt = rows.getLong(3);
        Optional<Instant> nodeTime = rows.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(nodeAt));
        return new HistoryEvent(rows.getLong(1), Instant.ofEpochMilli(rows.getLong(2)), nodeTime,
                HistoryEvent.Kind.of(rows.getString(4)), Optional.ofNullable(rows.getString(5)), Optional.ofNullable(rows.getString(6)),
                Optional.ofNullable(rows.getString(7)), Optional.ofNullable(rows.getString(8)), Optional.ofNullable(rows.getString(9)),
                Optional.ofNullable(rows.getString(10)), Optional.ofNullable(rows.getString(11)), rows.getString(12),
                Optional.ofNullable(rows.getString(13)));
    }

    private static long[] cursor(String text) {
        int dot = text.indexOf('.');
        try {
            return new long[] {Long.parseLong(text.substring(0, dot)), Long.parseLong(text.substring(dot + 1))};
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a page cursor of the history: " + text, e);
        }
    }

    private static String placeholders(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }

    private static void setOptional(PreparedStatement statement, int index, Optional<String> value) throws SQLException {
        if (value.isPresent()) {
            statement.setString(index, value.get());
        } else {
            statement.setNull(index, Types.VARCHAR);
        }
    }

    private long update(String sql, Object... args) throws SQLException {
        try (PreparedStatement statement = writer.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                statement.setObject(i + 1, args[i]);
            }
            return statement.executeUpdate();
        }
    }

    private void migrate() throws SQLException, IOException {
        writer.setAutoCommit(false);
        try (Statement s = writer.createStatement()) {
            if (!sqlite) {
                // two workstations starting at once against one PostgreSQL: one migrates, the other waits and finds it done
                s.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
            }
            s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
            long current = count("SELECT COALESCE(MAX(version), 0) FROM schema_version");
            if (current > MIGRATIONS.size()) {
                throw new SQLException("its schema is version " + current + ", newer than this Keepwatch knows ("
                        + MIGRATIONS.size() + "): it was written by a newer Keepwatch");
            }
            for (int version = (int) current + 1; version <= MIGRATIONS.size(); version++) {
                for (String statement : statements(MIGRATIONS.get(version - 1))) {
                    s.execute(statement);
                }
                s.execute("INSERT INTO schema_version (version) VALUES (" + version + ")");
            }
            writer.commit();
        } catch (SQLException e) {
            rollbackQuietly(writer);
            throw e;
        } finally {
            writer.setAutoCommit(true);
        }
    }

    private List<String> statements(String migration) throws IOException {
        String text;
        try (InputStream in = Database.class.getResourceAsStream(MIGRATION_DIRECTORY + migration)) {
            if (in == null) {
                throw new IOException("migration " + migration + " is missing from the class path");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String id = sqlite ? "INTEGER PRIMARY KEY" : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
        String withoutComments = text.lines().filter(l -> !l.strip().startsWith("--")).collect(Collectors.joining("\n"));
        return java.util.Arrays.stream(withoutComments.replace("${id}", id).split(";"))
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static Connection connect(HistorySettings settings, boolean forWriting) throws SQLException {
        Properties properties = new Properties();
        long busy = settings.busyTimeout().toMillis();
        if (settings.sqlite()) {
            properties.setProperty("journal_mode", "WAL");
            properties.setProperty("synchronous", "NORMAL");
            properties.setProperty("busy_timeout", Long.toString(busy));
            // the writer takes the write lock when its transaction starts: no deadlock upgrading a read lock
            properties.setProperty("transaction_mode", forWriting ? "IMMEDIATE" : "DEFERRED");
        } else {
            long seconds = Math.max(1, settings.busyTimeout().toSeconds());
            properties.setProperty("connectTimeout", Long.toString(Math.max(5, seconds)));
            properties.setProperty("loginTimeout", Long.toString(Math.max(5, seconds)));
            properties.setProperty("reWriteBatchedInserts", "true");
            properties.setProperty("ApplicationName", "keepwatch history");
        }
        Connection connection = DriverManager.getConnection(settings.url(), properties);
        try {
            connection.setAutoCommit(true);
            if (!settings.sqlite()) {
                try (Statement s = connection.createStatement()) {
                    s.execute("SET lock_timeout = " + busy);
                }
            }
            return connection;
        } catch (SQLException e) {
            closeQuietly(connection);
            throw e;
        }
    }

    /** The file and its directory only for their owner: the history keeps configurations, and they hold auth_pass. */
    private static boolean prepareFile(Path file) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        if (directory != null && !Files.isDirectory(directory)) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException existing) {
            // opened as it is; a broken or foreign file is reported by the first read
            return false;
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        }
        return true;
    }

    /** What went wrong in words an operator can act on. */
    static String explain(SQLException e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        if (message.contains("SQLITE_NOTADB") || message.contains("file is not a database")) {
            return "not a history database, or a damaged one (" + message + "); move it away and Keepwatch starts a new one";
        }
        if (message.contains("SQLITE_CORRUPT")) {
            return "the database is damaged (" + message + "); move it away and Keepwatch starts a new one";
        }
        if (message.contains("SQLITE_BUSY") || message.contains("database is locked")) {
            return "the database is locked by another program (" + message + ")";
        }
        return message;
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the failure being reported is the one that counts
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing: nothing left to do with it
            }
        }
    }
}
