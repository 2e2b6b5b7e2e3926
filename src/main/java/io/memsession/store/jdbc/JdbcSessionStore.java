package io.memsession.store.jdbc;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import io.memsession.store.DurableSessionStore;
import io.memsession.store.SaveOutcome;
import io.memsession.store.SessionStoreException;
import io.memsession.store.StoredSession;

/**
 * Session documents in one database table (PostgreSQL, MariaDB/MySQL or H2; DDL in
 * docs/durable-tier.md).
 *
 * <p>A row per session, keyed by the webapp's key space (its memcached key prefix, so that webapps
 * sharing a database never see each other's sessions) and a SHA-256 hash of the session id. The
 * document is the same bytes memcached holds; {@code doc_version} counts writes for compare-and-set
 * ({@code UPDATE ... WHERE doc_version = ?}); {@code expires_at} is the moment after which the row can no
 * longer belong to a live session, for the sweep that deletes expired rows; {@code principal} is
 * the name of the session's user when a write knew one (see {@link io.memsession.MemcachedSessionFilter#PRINCIPAL_ATTRIBUTE}),
 * for looking up a user's sessions; null otherwise.
 *
 * <p>Every statement is bounded: a query timeout (whole seconds, as JDBC has it) and a network timeout
 * of the connection (milliseconds) where the driver supports one, so that a database that hangs without
 * closing its sockets surfaces as {@link SessionStoreException}, not as a blocked request. The pool's
 * own wait for a connection is the caller's to bound (see {@link JdbcDataSources}).
 */
public final class JdbcSessionStore implements DurableSessionStore {

    /** A table name: an SQL identifier, optionally qualified by a schema. */
    public static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?");
    /** The default table name. */
    public static final String DEFAULT_TABLE = "memsession_sessions";
    /** {@code expires_at} of a session that never expires. */
    static final long NEVER = Long.MAX_VALUE;
    /** The width of the {@code principal} column. */
    static final int PRINCIPAL_MAX_CHARS = 255;
    private static final Executor SAME_THREAD = Runnable::run;
    /** The row whose lock the sweeping node holds; session keys (hashes) never contain ':'. */
    static final String SWEEP_LOCK_KEY = "sweep:lock";
    /** The row whose version is the cache epoch. */
    static final String CACHE_EPOCH_KEY = "cache:epoch";
    /** How long a row the sweep found still live is left alone. */
    private static final long LIVE_ROW_POSTPONE_MILLIS = 60_000;

    private final DataSource dataSource;
    private final String table;
    private final String keySpace;
    private final int timeoutMillis;
    private final int queryTimeoutSeconds;
    private final double accessSlack;
    private final Clock clock;
    private final Duration endClaimLife;

    private final String selectSql;
    private final String insertSql;
    private final String replaceSql;
    private final String overwriteSql;
    private final String touchSql;
    private final String keepAliveSql;
    private final String deleteSql;
    private final String sweepLockSql;
    private final String expiredSql;
    private final String postponeSql;
    private final String expiredClaimsSql;
    private volatile boolean sweepLockRowInserted;

    /**
     * @param table a name matching {@link #TABLE_NAME} (checked)
     * @param keySpace what tells this webapp's rows apart from other webapps' in a shared table
     * @param timeout the longest one statement may take
     * @param accessSlack the fraction of a session's interval by which the access time in the table may
     *     lag behind the real one (a tier in front writes it only every so often); rows are kept that
     *     much longer before they count as expired
     * @param endClaimLife how long the record of which node announced a session's end is kept
     */
    public JdbcSessionStore(DataSource dataSource, String table, String keySpace, Duration timeout,
            double accessSlack, Duration endClaimLife, Clock clock) {
        if (!TABLE_NAME.matcher(table).matches()) {
            throw new IllegalArgumentException("not an SQL table name: " + table);
        }
        this.dataSource = dataSource;
        this.table = table;
        this.keySpace = keySpace;
        this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        this.queryTimeoutSeconds = (int) Math.max(1, (timeout.toMillis() + 999) / 1000);
        this.accessSlack = accessSlack;
        this.endClaimLife = endClaimLife;
        this.clock = clock;
        String key = " WHERE key_space = ? AND session_key = ?";
        selectSql = "SELECT document, doc_version, last_access, max_inactive FROM " + table + key;
        insertSql = "INSERT INTO " + table + " (key_space, session_key, document, doc_version, last_access,"
                + " max_inactive, expires_at, principal) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
        String write = "UPDATE " + table + " SET document = ?, doc_version = doc_version + 1,"
                + " last_access = GREATEST(last_access, ?), max_inactive = ?, expires_at = ?, principal = ?" + key;
        replaceSql = write + " AND doc_version = ?";
        overwriteSql = write;
        touchSql = "UPDATE " + table + " SET last_access = ?, expires_at = ?" + key + " AND last_access < ?";
        keepAliveSql = "UPDATE " + table + " SET last_access = ?,"
                + " expires_at = CASE WHEN max_inactive > 0 THEN ? + max_inactive * ? ELSE " + NEVER + " END"
                + key + " AND last_access <= ? AND (max_inactive <= 0 OR last_access + max_inactive * ? >= ?)";
        deleteSql = "DELETE FROM " + table + key;
        sweepLockSql = "SELECT session_key FROM " + table + key + " FOR UPDATE SKIP LOCKED";
        expiredSql = "SELECT session_key, document FROM " + table + " WHERE key_space = ? AND expires_at < ?"
                + " AND session_key NOT LIKE '%:%' ORDER BY expires_at LIMIT ?";
        postponeSql = "UPDATE " + table + " SET expires_at = ?" + key + " AND expires_at < ?";
        expiredClaimsSql = "DELETE FROM " + table + " WHERE key_space = ? AND expires_at < ? AND session_key LIKE 'end:%'";
    }

    /** The table this store uses. */
    public String table() {
        return table;
    }

    @Override
    public Optional<DurableSession> read(String id) {
        return run("select", connection -> {
            try (PreparedStatement select = prepare(connection, selectSql)) {
                bindKey(select, 1, SessionKeys.of(id));
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new DurableSession(row.getBytes(1), row.getLong(2), row.getLong(3),
                            row.getInt(4)));
                }
            }
        });
    }

    @Override
    public Optional<StoredSession> load(String id) {
        return read(id).map(row -> new StoredSession(row.document(), row.version(), row.lastAccessTime(),
                StoredSession.UNKNOWN_ACCESS_TIME, row.lastAccessTime()));
    }

    /** {@inheritDoc} Stores version 1. */
    @Override
    public boolean create(String id, byte[] document, Access access) {
        return insert(SessionKeys.of(id), document, access.time(), access.maxInactiveSeconds(),
                expiresAt(access.time(), access.maxInactiveSeconds()), principalColumn(access));
    }

    private boolean insert(String sessionKey, byte[] document, long accessTime, int maxInactive, long expiresAt,
            String principal) {
        return run("insert", connection -> {
            try (PreparedStatement insert = prepare(connection, insertSql)) {
                bindKey(insert, 1, sessionKey);
                insert.setBytes(3, document);
                insert.setLong(4, 1);
                insert.setLong(5, accessTime);
                insert.setInt(6, maxInactive);
                insert.setLong(7, expiresAt);
                insert.setString(8, principal);
                insert.executeUpdate();
                return true;
            } catch (SQLException e) {
                if (isDuplicateKey(e)) {
                    return false;
                }
                throw e;
            }
        });
    }

    /** {@inheritDoc} Stores {@code expectedVersion + 1} when it succeeds. */
    @Override
    public SaveOutcome replace(String id, byte[] document, long expectedVersion, StoredSession previous,
            Access access) {
        String sessionKey = SessionKeys.of(id);
        int updated = update("update", replaceSql, statement -> {
            bindWrite(statement, document, access);
            bindKey(statement, 6, sessionKey);
            statement.setLong(8, expectedVersion);
        });
        if (updated > 0) {
            return SaveOutcome.SAVED;
        }
        return read(id).isPresent() ? SaveOutcome.CONFLICT : SaveOutcome.GONE;
    }

    @Override
    public boolean overwrite(String id, byte[] document, StoredSession previous, Access access) {
        String sessionKey = SessionKeys.of(id);
        return update("update", overwriteSql, statement -> {
            bindWrite(statement, document, access);
            bindKey(statement, 6, sessionKey);
        }) > 0;
    }

    /** Records the access if it is later than the one stored; never brings back a deleted row. */
    @Override
    public void touch(String id, StoredSession previous, Access access) {
        String sessionKey = SessionKeys.of(id);
        update("update", touchSql, statement -> {
            statement.setLong(1, access.time());
            statement.setLong(2, expiresAt(access.time(), access.maxInactiveSeconds()));
            bindKey(statement, 3, sessionKey);
            statement.setLong(5, access.time());
        });
    }

    @Override
    public boolean keepAlive(String id, long accessTime) {
        String sessionKey = SessionKeys.of(id);
        return update("update", keepAliveSql, statement -> {
            statement.setLong(1, accessTime);
            statement.setLong(2, accessTime);
            statement.setLong(3, (long) (1000 * (1 + accessSlack)));
            bindKey(statement, 4, sessionKey);
            statement.setLong(6, accessTime);
            statement.setLong(7, 1000L);
            statement.setLong(8, accessTime);
        }) > 0;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The claim is a row of its own (key {@code end:<hash>}), inserted once: the database's primary key
     * makes exactly one insert succeed, on whichever node. It lives {@code endClaimLife}, then the sweep
     * removes it.
     */
    @Override
    public boolean claimEnd(String id) {
        long now = clock.millis();
        return insert(SessionKeys.endClaimOf(id), new byte[0], now, 0, now + endClaimLife.toMillis(), null);
    }

    /**
     * {@inheritDoc}
     *
     * <p>One node at a time: the sweeping node holds the lock of a row of its own
     * ({@code SELECT ... FOR UPDATE SKIP LOCKED}, PostgreSQL 9.5+, MariaDB 10.6+, MySQL 8+, H2 2.x) in a
     * transaction for the whole run, and every other node's attempt skips it at once instead of waiting.
     * The sessions themselves are ended through other connections (so the pool needs two), without
     * locking their rows, so requests are never blocked by a sweep.
     */
    @Override
    public boolean sweepExpired(long now, int maxRows, Function<byte[], RowFate> ender) {
        if (!sweepLockRowInserted) {
            // looked for first without locking: on InnoDB an insert of an existing key would wait for the
            // lock of the node that is sweeping; a duplicate from a concurrent insert is just as good
            if (!rowExists(SWEEP_LOCK_KEY)) {
                insert(SWEEP_LOCK_KEY, new byte[0], now, 0, NEVER, null);
            }
            sweepLockRowInserted = true;
        }
        List<String> unreadable = new ArrayList<>();
        List<String> live = new ArrayList<>();
        boolean swept = run("sweep", connection -> {
            connection.setAutoCommit(false);
            try {
                try (PreparedStatement lock = prepare(connection, sweepLockSql)) {
                    bindKey(lock, 1, SWEEP_LOCK_KEY);
                    try (ResultSet held = lock.executeQuery()) {
                        if (!held.next()) {
                            connection.rollback();
                            return false;
                        }
                    }
                }
                List<String> keys = new ArrayList<>();
                List<byte[]> documents = new ArrayList<>();
                try (PreparedStatement expired = prepare(connection, expiredSql)) {
                    expired.setString(1, keySpace);
                    expired.setLong(2, now);
                    expired.setInt(3, maxRows);
                    try (ResultSet rows = expired.executeQuery()) {
                        while (rows.next()) {
                            keys.add(rows.getString(1));
                            documents.add(rows.getBytes(2));
                        }
                    }
                }
                for (int i = 0; i < keys.size(); i++) {
                    switch (ender.apply(documents.get(i))) {
                        case UNREADABLE -> unreadable.add(keys.get(i));
                        case LIVE -> live.add(keys.get(i));
                        case ENDED -> {
                            // deleted through the normal path
                        }
                    }
                }
                connection.commit();
                return true;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        });
        if (!swept) {
            return false;
        }
        for (String sessionKey : unreadable) {
            update("delete", deleteSql, statement -> bindKey(statement, 1, sessionKey));
        }
        for (String sessionKey : live) {
            update("update", postponeSql, statement -> {
                statement.setLong(1, now + LIVE_ROW_POSTPONE_MILLIS);
                bindKey(statement, 2, sessionKey);
                statement.setLong(4, now);
            });
        }
        update("delete", expiredClaimsSql, statement -> {
            statement.setString(1, keySpace);
            statement.setLong(2, now);
        });
        return true;
    }

    @Override
    public long cacheEpoch() {
        return run("select", connection -> {
            try (PreparedStatement select = prepare(connection, selectSql)) {
                bindKey(select, 1, CACHE_EPOCH_KEY);
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? row.getLong(2) : 0L;
                }
            }
        });
    }

    @Override
    public long advanceCacheEpoch() {
        String bump = "UPDATE " + table + " SET doc_version = doc_version + 1 WHERE key_space = ? AND session_key = ?";
        if (update("update", bump, statement -> bindKey(statement, 1, CACHE_EPOCH_KEY)) == 0) {
            // the first advance ever: version 1; a concurrent first insert is just as good
            insert(CACHE_EPOCH_KEY, new byte[0], clock.millis(), 0, NEVER, null);
        }
        return cacheEpoch();
    }

    private boolean rowExists(String sessionKey) {
        return run("select", connection -> {
            try (PreparedStatement select = prepare(connection, selectSql)) {
                bindKey(select, 1, sessionKey);
                try (ResultSet row = select.executeQuery()) {
                    return row.next();
                }
            }
        });
    }

    @Override
    public void delete(String id) {
        String sessionKey = SessionKeys.of(id);
        update("delete", deleteSql, statement -> bindKey(statement, 1, sessionKey));
    }

    /** Nothing to release: the pool, if memsession created one, is closed by whoever created it. */
    @Override
    public void close() {
        // the DataSource is not this store's to close
    }

    /**
     * Creates the table and its indexes when they do not exist, in the dialect of the database the
     * DataSource reaches.
     *
     * @throws SessionStoreException when the database does not answer or refuses
     * @throws IllegalStateException when it is none of the supported databases
     */
    public void createTableIfAbsent() {
        run("create table", connection -> {
            DatabaseMetaData meta = connection.getMetaData();
            SqlDialect dialect = SqlDialect.forProduct(meta.getDatabaseProductName());
            if (dialect == null) {
                throw new IllegalStateException("cannot create the session table on " + meta.getDatabaseProductName()
                        + ": only PostgreSQL, MariaDB/MySQL and H2 are supported; create it yourself as"
                        + " docs/durable-tier.md shows");
            }
            for (String ddl : dialect.createTable(table)) {
                try (Statement statement = connection.createStatement()) {
                    statement.setQueryTimeout(queryTimeoutSeconds);
                    statement.execute(ddl);
                }
            }
            return null;
        });
    }

    /** Checks that the database answers and the table can be read; throws what went wrong. */
    public void checkTable() {
        run("check table", connection -> {
            try (PreparedStatement select = prepare(connection, "SELECT COUNT(*) FROM " + table
                    + " WHERE key_space = ? AND session_key = ?")) {
                bindKey(select, 1, "");
                try (ResultSet ignored = select.executeQuery()) {
                    return null;
                }
            }
        });
    }

    /** Epoch ms after which a row last accessed at {@code accessTime} cannot belong to a live session. */
    long expiresAt(long accessTime, int maxInactiveSeconds) {
        if (maxInactiveSeconds <= 0) {
            return NEVER;
        }
        return accessTime + (long) (maxInactiveSeconds * 1000L * (1 + accessSlack));
    }

    private void bindWrite(PreparedStatement statement, byte[] document, Access access) throws SQLException {
        statement.setBytes(1, document);
        statement.setLong(2, access.time());
        statement.setInt(3, access.maxInactiveSeconds());
        statement.setLong(4, expiresAt(access.time(), access.maxInactiveSeconds()));
        statement.setString(5, principalColumn(access));
    }

    /**
     * The principal as the column takes it: a name longer than the column is left out (null) rather than
     * cut, since a cut name would find another user's sessions.
     */
    private static String principalColumn(Access access) {
        String principal = access.principal();
        return principal == null || principal.length() > PRINCIPAL_MAX_CHARS ? null : principal;
    }

    private void bindKey(PreparedStatement statement, int first, String sessionKey) throws SQLException {
        statement.setString(first, keySpace);
        statement.setString(first + 1, sessionKey);
    }

    private int update(String operation, String sql, Binder binder) {
        return run(operation, connection -> {
            try (PreparedStatement statement = prepare(connection, sql)) {
                binder.bind(statement);
                return statement.executeUpdate();
            }
        });
    }

    private PreparedStatement prepare(Connection connection, String sql) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        statement.setQueryTimeout(queryTimeoutSeconds);
        return statement;
    }

    /** SQLSTATE class 23 is an integrity constraint violation; a duplicate primary key is one. */
    private static boolean isDuplicateKey(SQLException e) {
        String state = e.getSQLState();
        return state != null && state.startsWith("23");
    }

    private <T> T run(String operation, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            boundNetworkWait(connection);
            T result = work.run(connection);
            if (!connection.getAutoCommit()) {
                connection.commit();
            }
            return result;
        } catch (SQLException e) {
            throw new SessionStoreException("database " + operation + " on " + table + " failed: "
                    + e.getMessage(), e);
        }
    }

    private void boundNetworkWait(Connection connection) throws SQLException {
        try {
            connection.setNetworkTimeout(SAME_THREAD, timeoutMillis);
        } catch (SQLFeatureNotSupportedException e) {
            // the driver (H2) bounds only by the query timeout; nothing more can be done for it here
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }
}
