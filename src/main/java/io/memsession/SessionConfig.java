package io.memsession;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

import jakarta.servlet.FilterConfig;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;

import io.memsession.store.SaslCredentials;

/**
 * Every init-param of {@link MemcachedSessionFilter}, parsed and validated once at {@code init}.
 *
 * <p>Immutable. A missing or wrong value fails start-up with an {@link IllegalArgumentException}
 * whose message names the parameter, the value given and what is allowed. The list of parameters,
 * their defaults and meanings lives in {@link Param}, and docs/configuration.md is tested against it.
 */
final class SessionConfig {

    /** The init-params, with their defaults and meanings as published in docs/configuration.md. */
    enum Param {
        SERVERS("servers", "(required)",
                "memcached servers as `host:port`, separated by spaces or commas; sessions are spread "
                        + "over several servers by consistent hashing. IPv6 as `[::1]:11211`. A twemproxy (nutcracker) "
                        + "address works too: see [operations.md](operations.md)."),
        REPLICAS("replicas", "1",
                "how many memcached servers hold each session, 1 to the number of `servers`: the "
                        + "consistent-hashing owner and the next distinct servers on the ring, so that with 2 or "
                        + "more losing one server loses no session. Reads ask every copy and serve the newest; "
                        + "each copy costs its own load and write (see [operations.md](operations.md))."),
        SASL_USER("saslUser", "(none)",
                "user name for memcached servers that require SASL authentication (`memcached -S`): memsession "
                        + "then speaks memcached's binary protocol and authenticates every connection to every server "
                        + "with SASL PLAIN. Together with `saslPassword` or `saslPasswordEnv`. See "
                        + "[operations.md](operations.md)."),
        SASL_PASSWORD("saslPassword", "(none)",
                "with `saslUser`: its password (never logged)."),
        SASL_PASSWORD_ENV("saslPasswordEnv", "(none)",
                "with `saslUser`, instead of `saslPassword`: the name of an environment variable of the "
                        + "container's process that holds the password, so that it need not be written into "
                        + "web.xml. A variable that is not set stops start-up."),
        KEY_PREFIX("keyPrefix", "`memsession:<context path>:`",
                "prefix of every memcached key of this webapp, so that webapps sharing a memcached never "
                        + "see each other's sessions; printable ASCII without spaces, at most 200 characters. "
                        + "Characters of the context path that a memcached key cannot hold are percent-encoded in "
                        + "the default."),
        ALLOWED_CLASSES("allowedClasses", "(none)",
                "application classes that may be stored in sessions, as class names (`com.acme.Cart`, "
                        + "nested `com.acme.Outer$Inner`) or `package.*` (that package and its subpackages), "
                        + "separated by spaces or commas; they must implement `java.io.Serializable`. JDK value "
                        + "types need no entry (see [storage.md](storage.md)). Wildcards over or above a namespace "
                        + "the JDK ships classes in (`java`, `javax`, `jdk`, `sun`, `com.sun`, `com.oracle`, "
                        + "`org.w3c`, `org.xml`, `org.ietf`, `org.omg`, `org.jcp`, `netscape`) are refused, e.g. "
                        + "`com.*` or `org.*`: name such classes one by one."),
        OP_TIMEOUT_MILLIS("opTimeoutMillis", "250",
                "longest wait for one memcached operation, in milliseconds (1 to 60000). A request never "
                        + "waits longer than this for one operation; on timeout the operation is counted as a store "
                        + "failure and logged, and the request makes no further memcached call (see "
                        + "[storage.md](storage.md) for the per-request bound)."),
        CONNECT_TIMEOUT_MILLIS("connectTimeoutMillis", "1000",
                "longest wait to connect to a memcached server, in milliseconds (1 to 60000)."),
        COOKIE_HTTP_ONLY("cookieHttpOnly", "true",
                "`true` or `false`: whether the session cookie carries HttpOnly; the container's "
                        + "`<http-only>` cannot be told apart from its default, so only this turns it off."),
        COOKIE_NAME("cookieName", "the webapp's cookie name, else `JSESSIONID`",
                "name of memsession's session cookie. Give it one of its own (say `MSESSIONID`) when "
                        + "something may still create the container's own sessions (container FORM login with "
                        + "`j_security_check`, a filter mapped before memsession, code that unwraps the request): "
                        + "the container's cookie, by default also `JSESSIONID` with the same path, would otherwise "
                        + "replace memsession's. A cookie token: letters, digits and ``!#$%&'*+-.^_`|~``."),
        LISTENERS("listeners", "(none)",
                "the application's session listeners: class names of `HttpSessionListener`, "
                        + "`HttpSessionAttributeListener` and `HttpSessionIdListener` implementations with a public "
                        + "no-argument constructor, separated by spaces or commas; created once at start-up with "
                        + "the webapp's class loader. A class that cannot be created or is none of these stops "
                        + "start-up. The container never fires its own session events for memsession's sessions, so "
                        + "a listener that is also declared with `<listener>` still hears each event once. See "
                        + "[behaviour.md](behaviour.md)."),
        KEEP_ALIVE_EXCLUDE("keepAliveExclude", "(none)",
                "URL patterns (`/static/*`, `*.css`, `/favicon.ico`) of requests that do not count as a "
                        + "use of the session when they never call `getSession`; separated by spaces or commas. "
                        + "Every other request that carries a session cookie keeps its session alive even if it "
                        + "never calls `getSession` (spec 7.6), at the cost of a small read and write in memcached; "
                        + "list static resources here to save those."),
        EXPIRY_GRACE_SECONDS("expiryGraceSeconds", "120",
                "how long memcached keeps a session's data after it expired, so that its end can be "
                        + "announced with its attributes readable; at least twice `expirySweepSeconds` (2 to "
                        + "86400)."),
        EXPIRY_SWEEP_SECONDS("expirySweepSeconds", "30",
                "how often each node looks for expired sessions among those it served, to announce their end "
                        + "(1 to 3600). Only runs when `listeners` or `allowedClasses` is set: otherwise nothing could "
                        + "hear the announcement. With the durable tier, also how often a node tries to sweep expired "
                        + "rows from the database (one node at a time; see [durable-tier.md](durable-tier.md))."),
        URL_TRACKING("urlTracking", "false",
                "`true` or `false`: whether a session id in the URL (`;jsessionid=...`, named after the "
                        + "cookie in lower case) is accepted, and added by `encodeURL`/`encodeRedirectURL` for "
                        + "clients that did not send the cookie. Ids in URLs leak through Referer headers, logs and "
                        + "shared links and make session fixation easy: leave it off unless some clients cannot "
                        + "keep cookies."),
        CONCURRENCY("concurrency", "merge",
                "`merge`, `lock` or `none`: how concurrent requests of one session (frames, ajax, two "
                        + "tabs) are reconciled. `merge`: each request's changes are merged attribute by attribute "
                        + "into the stored session (compare-and-set, retried); `lock`: one request at a time per "
                        + "session across the cluster; `none`: the last request to save overwrites the whole "
                        + "session. See [concurrency.md](concurrency.md)."),
        LOCK_TIMEOUT_MILLIS("lockTimeoutMillis", "5000",
                "with `concurrency=lock`: the longest a request waits for its session's lock, in "
                        + "milliseconds (1 to 600000), queueing first behind requests of the same node, then "
                        + "polling memcached with back-off and jitter."),
        LOCK_TTL_SECONDS("lockTtlSeconds", "60",
                "with `concurrency=lock`: how long a lock lives unless released (1 to 3600), so that a "
                        + "node that dies holding it blocks others only that long. Make it longer than your slowest "
                        + "request: a request that outlives its lock saves nothing (logged)."),
        MAX_SESSION_BYTES("maxSessionBytes", "1047552",
                "largest encoded session that is stored, in bytes (1024 to 1047552, the most the memcached "
                        + "client takes). `setAttribute` of a value that would certainly take the session over it "
                        + "throws `IllegalStateException` and sets nothing; a save over it (grown by changes in place) "
                        + "is dropped: the copy stored before stays, the save is logged at WARN with the three largest "
                        + "attributes and their sizes, and counted (`oversizedSaves`). See [limits.md](limits.md)."),
        COMPRESS_ABOVE_BYTES("compressAboveBytes", "0",
                "session documents larger than this many bytes are stored compressed (zlib, the fastest level), "
                        + "when that makes them smaller (0 to 1047552; 0: never). `maxSessionBytes` then applies to the "
                        + "compressed size, and a document of more than 4190208 bytes uncompressed is refused whatever "
                        + "it compresses to. Every node reads compressed documents whatever its own setting. See "
                        + "[operations.md](operations.md#sizing) for what it costs and gains."),
        LOCK_QUEUE_MAX("lockQueueMax", "8",
                "with `concurrency=lock`: how many requests of one session may wait for its lock on one "
                        + "node (0 to 1000). More get the `lockTimeoutAction` answer at once (503, or read-only), "
                        + "so that a burst on one session cannot occupy the node's request threads."),
        LOCK_TIMEOUT_ACTION("lockTimeoutAction", "fail",
                "with `concurrency=lock`, what a request does when `lockTimeoutMillis` runs out: `fail` "
                        + "(HTTP 503 with `Retry-After`) or `readonly` (served without the lock; its session "
                        + "changes are dropped and logged). Never does a request write without the lock."),
        LOCK_EXCLUDE("lockExclude", "(none)",
                "with `concurrency=lock`: URL patterns (`/api/status`, `/static/*`, `*.json`) of "
                        + "read-only requests that use the session without taking its lock; changes they make "
                        + "anyway are merged as in `merge` mode."),
        MUTATION_DETECTION("mutationDetection", "compare",
                "`compare` or `setAttribute`: whether a value read with `getAttribute` and changed in "
                        + "place (a list, an application object) is saved. `compare` (the container behaviour): at "
                        + "the end of the request every mutable value handed out is encoded again and compared byte "
                        + "for byte with its stored form, so only a real change costs a write. `setAttribute`: only "
                        + "values passed to `setAttribute` count, which saves that encoding work."),
        DECODED_CACHE_SIZE("decodedCacheSize", "2000",
                "how many sessions (0 to 1000000; 0: none) a node keeps decoded, so that a session that did not "
                        + "change since this node last read or wrote it is not decoded again. Each load still asks "
                        + "memcached, and an entry is used only when memcached returned exactly the bytes it was "
                        + "decoded from, so it never serves a stale session; it costs heap (about the size of the "
                        + "session's document, twice, plus its values) per entry. See storage.md."),
        ACCESS_WRITES("accessWrites", "wait",
                "`wait` or `noreply`: whether a request that changed nothing waits for memcached to confirm "
                        + "the write of its access time (and, with `concurrency=lock`, the release of its lock). "
                        + "`wait`: exact access times, in place on every node before the response leaves. "
                        + "`noreply`: sent without waiting for an answer, which spares a round trip per request; "
                        + "later requests on this node still see it (one connection per server, commands in "
                        + "order), another node may for a moment see the previous access time, and a write lost "
                        + "with a broken connection goes unnoticed (the session's life then counts from its "
                        + "previous access). See storage.md."),
        JDBC_URL("jdbcUrl", "(none)",
                "turns the durable tier on: the JDBC URL of the session database (PostgreSQL "
                        + "`jdbc:postgresql://…`, MariaDB `jdbc:mariadb://…`, MySQL `jdbc:mysql://…`, H2 server "
                        + "`jdbc:h2:tcp://…`) behind memcached, through a small HikariCP pool that memsession runs. The "
                        + "JDBC driver is the webapp's dependency (WEB-INF/lib). A database that does not answer at "
                        + "start-up does not stop the webapp (logged as an error, retried every 5 s); a URL no driver "
                        + "accepts does. See [durable-tier.md](durable-tier.md)."),
        JDBC_USER("jdbcUser", "(none)",
                "with `jdbcUrl`: the database user."),
        JDBC_PASSWORD("jdbcPassword", "(none)",
                "with `jdbcUrl`: the database user's password (never logged). Prefer `dataSource` where the "
                        + "container keeps credentials."),
        DATA_SOURCE("dataSource", "(none)",
                "turns the durable tier on with the container's `javax.sql.DataSource` bound under this JNDI "
                        + "name (e.g. `java:comp/env/jdbc/sessions`) instead of `jdbcUrl`; a name that is not bound "
                        + "stops start-up. Not together with `jdbcUrl`, `jdbcUser`, `jdbcPassword` or `jdbcPoolSize`."),
        JDBC_TABLE("jdbcTable", "memsession_sessions",
                "with the durable tier: the session table, an SQL identifier (letters, digits, `_`; at most "
                        + "63 characters) optionally qualified by a schema (`web.sessions`). One table can serve "
                        + "several webapps: rows are kept apart by the webapp's `keyPrefix`."),
        JDBC_CREATE_TABLE("jdbcCreateTable", "false",
                "with the durable tier: `true` or `false`, whether memsession creates the table and its "
                        + "indexes at start-up when they do not exist (PostgreSQL, MariaDB/MySQL and H2). Otherwise "
                        + "create them with the DDL in [durable-tier.md](durable-tier.md)."),
        JDBC_TIMEOUT_MILLIS("jdbcTimeoutMillis", "1000",
                "with the durable tier: the longest wait for a pooled connection and for one statement, in "
                        + "milliseconds (250 to 60000). Statements carry a query timeout (rounded up to whole seconds, "
                        + "as JDBC has it) and the connection a network timeout of this many milliseconds."),
        JDBC_POOL_SIZE("jdbcPoolSize", "10",
                "with `jdbcUrl`: the most connections memsession's pool opens (2 to 200: the database sweep "
                        + "holds one for its run while it ends sessions through another)."),
        JDBC_ACCESS_WRITE_FRACTION("jdbcAccessWriteFraction", "0.1",
                "with the durable tier: a request that uses a session without changing it writes the access "
                        + "time to the database only when the one stored there is older than this fraction of the "
                        + "session's interval (0 to 0.5; 0 writes on every use). Rows are kept that much longer before "
                        + "they count as expired; after memcached lost a session, it may end up to this much earlier "
                        + "than it would have.");

        private final String paramName;
        private final String defaultText;
        private final String meaning;

        Param(String paramName, String defaultText, String meaning) {
            this.paramName = paramName;
            this.defaultText = defaultText;
            this.meaning = meaning;
        }

        String paramName() {
            return paramName;
        }

        String defaultText() {
            return defaultText;
        }

        String meaning() {
            return meaning;
        }
    }

    static final int MAX_KEY_PREFIX_LENGTH = 200;
    private static final int MAX_TIMEOUT_MILLIS = 60_000;

    private final List<InetSocketAddress> servers;
    private final String keyPrefix;
    private final TypeAllowList allowList;
    private final Duration opTimeout;
    private final Duration connectTimeout;
    private final boolean cookieHttpOnly;
    private final String cookieName;
    private final List<Object> listeners;
    private final PathPatterns keepAliveExclude;
    private final Duration expiryGrace;
    private final Duration expirySweep;
    private final boolean urlTracking;
    private final ConcurrencyMode concurrency;
    private final Duration lockTimeout;
    private final Duration lockTtl;
    private final int lockQueueMax;
    private final int maxSessionBytes;
    private final int compressAboveBytes;
    private final boolean lockTimeoutFails;
    private final PathPatterns lockExclude;
    private final boolean detectMutations;
    private final DurableTier durableTier;
    private final int decodedCacheSize;
    private final boolean awaitAccessWrites;
    private final SaslCredentials sasl;
    private final int replicas;

    /**
     * The durable tier's settings: a JDBC URL (with user and password) or a JNDI name, never both.
     *
     * @param jdbcUrl null when {@code jndiName} is given
     * @param jndiName null when {@code jdbcUrl} is given
     */
    record DurableTier(String jdbcUrl, String user, String password, String jndiName, String table,
            boolean createTable, Duration timeout, int poolSize, double accessWriteFraction) {

        @Override
        public String toString() {
            // never the password, nor whatever credentials or options a URL may carry
            return (jdbcUrl != null ? redactedUrl(jdbcUrl) : jndiName) + " table " + table;
        }
    }

    /** A JDBC URL without user information, query string or options, which may carry credentials. */
    static String redactedUrl(String jdbcUrl) {
        return jdbcUrl.replaceAll("//[^/@]*@", "//").replaceAll("[?;&].*$", "") + (jdbcUrl.matches(".*[?;&].*") ? "…" : "");
    }

    SessionConfig(List<InetSocketAddress> servers, String keyPrefix, TypeAllowList allowList,
            Duration opTimeout, Duration connectTimeout, boolean cookieHttpOnly, String cookieName,
            List<Object> listeners,
            PathPatterns keepAliveExclude, Duration expiryGrace, Duration expirySweep, boolean urlTracking,
            ConcurrencyMode concurrency, Duration lockTimeout, Duration lockTtl, int lockQueueMax,
            int maxSessionBytes, boolean lockTimeoutFails,
            PathPatterns lockExclude, boolean detectMutations, int decodedCacheSize, boolean awaitAccessWrites) {
        this(servers, keyPrefix, allowList, opTimeout, connectTimeout, cookieHttpOnly, cookieName, listeners,
                keepAliveExclude, expiryGrace, expirySweep, urlTracking, concurrency, lockTimeout, lockTtl,
                lockQueueMax, maxSessionBytes, lockTimeoutFails, lockExclude, detectMutations, decodedCacheSize,
                awaitAccessWrites, null, null, 0, 1);
    }

    private SessionConfig(List<InetSocketAddress> servers, String keyPrefix, TypeAllowList allowList,
            Duration opTimeout, Duration connectTimeout, boolean cookieHttpOnly, String cookieName,
            List<Object> listeners,
            PathPatterns keepAliveExclude, Duration expiryGrace, Duration expirySweep, boolean urlTracking,
            ConcurrencyMode concurrency, Duration lockTimeout, Duration lockTtl, int lockQueueMax,
            int maxSessionBytes, boolean lockTimeoutFails, PathPatterns lockExclude, boolean detectMutations,
            int decodedCacheSize, boolean awaitAccessWrites, DurableTier durableTier, SaslCredentials sasl,
            int compressAboveBytes, int replicas) {
        this.durableTier = durableTier;
        this.sasl = sasl;
        this.compressAboveBytes = compressAboveBytes;
        this.replicas = replicas;
        this.decodedCacheSize = decodedCacheSize;
        this.awaitAccessWrites = awaitAccessWrites;
        this.servers = List.copyOf(servers);
        this.keyPrefix = keyPrefix;
        this.allowList = allowList;
        this.opTimeout = opTimeout;
        this.connectTimeout = connectTimeout;
        this.cookieHttpOnly = cookieHttpOnly;
        this.cookieName = cookieName;
        this.listeners = List.copyOf(listeners);
        this.keepAliveExclude = keepAliveExclude;
        this.expiryGrace = expiryGrace;
        this.expirySweep = expirySweep;
        this.urlTracking = urlTracking;
        this.concurrency = concurrency;
        this.lockTimeout = lockTimeout;
        this.lockTtl = lockTtl;
        this.lockQueueMax = lockQueueMax;
        this.maxSessionBytes = maxSessionBytes;
        this.lockTimeoutFails = lockTimeoutFails;
        this.lockExclude = lockExclude;
        this.detectMutations = detectMutations;
    }

    /** Reads and validates every init-param of the filter. */
    static SessionConfig read(FilterConfig filterConfig) {
        Function<Param, String> raw = p -> trimToNull(filterConfig.getInitParameter(p.paramName()));
        SessionConfig memcached = readMemcachedSettings(filterConfig, raw);
        DurableTier durableTier = parseDurableTier(raw);
        return new SessionConfig(memcached, durableTier, parseSasl(raw, System::getenv),
                (int) parseRange(Param.COMPRESS_ABOVE_BYTES, raw.apply(Param.COMPRESS_ABOVE_BYTES), 0, 0,
                        SessionRepository.MAX_DOCUMENT_BYTES),
                parseReplicas(raw.apply(Param.REPLICAS), memcached.servers.size(), durableTier != null));
    }

    static int parseReplicas(String value, int servers, boolean durableTier) {
        int replicas = (int) parseRange(Param.REPLICAS, value, 1, 1, servers);
        if (replicas > 1 && durableTier) {
            throw invalid(Param.REPLICAS, value, "1 with a durable tier (`" + Param.JDBC_URL.paramName() + "` or `"
                    + Param.DATA_SOURCE.paramName() + "`): the database already keeps every session");
        }
        return replicas;
    }

    /** {@code base} with the durable tier's, SASL's, compression's and replication's settings. */
    private SessionConfig(SessionConfig base, DurableTier durableTier, SaslCredentials sasl, int compressAboveBytes,
            int replicas) {
        this(base.servers, base.keyPrefix, base.allowList, base.opTimeout, base.connectTimeout, base.cookieHttpOnly,
                base.cookieName, base.listeners, base.keepAliveExclude, base.expiryGrace, base.expirySweep,
                base.urlTracking, base.concurrency, base.lockTimeout, base.lockTtl, base.lockQueueMax,
                base.maxSessionBytes, base.lockTimeoutFails, base.lockExclude, base.detectMutations,
                base.decodedCacheSize, base.awaitAccessWrites, durableTier, sasl,
                compressAboveBytes, replicas);
    }

    /** The credentials for memcached servers that require SASL, or null for none (text protocol). */
    SaslCredentials sasl() {
        return sasl;
    }

    /**
     * {@code saslUser} with a password from {@code saslPassword} or from the environment variable named by
     * {@code saslPasswordEnv} (looked up with {@code environment}), or none of them.
     */
    static SaslCredentials parseSasl(Function<Param, String> raw, Function<String, String> environment) {
        String user = raw.apply(Param.SASL_USER);
        String password = raw.apply(Param.SASL_PASSWORD);
        String variable = raw.apply(Param.SASL_PASSWORD_ENV);
        if (user == null && password == null && variable == null) {
            return null;
        }
        String passwordParams = "`" + Param.SASL_PASSWORD.paramName() + "` or `" + Param.SASL_PASSWORD_ENV.paramName()
                + "`";
        if (user == null) {
            throw invalid(Param.SASL_USER, null, "a user name whenever " + passwordParams + " is given");
        }
        if (password != null && variable != null) {
            throw invalid(Param.SASL_PASSWORD_ENV, variable, "nothing when `" + Param.SASL_PASSWORD.paramName()
                    + "` is given: the password comes from one place");
        }
        if (password == null && variable == null) {
            throw invalid(Param.SASL_PASSWORD, null, "a password (or `" + Param.SASL_PASSWORD_ENV.paramName()
                    + "`) whenever `" + Param.SASL_USER.paramName() + "` is given");
        }
        if (variable != null) {
            password = environment.apply(variable);
            if (password == null || password.isEmpty()) {
                throw invalid(Param.SASL_PASSWORD_ENV, variable, "the name of an environment variable that is set"
                        + " (this one is not, or is empty)");
            }
        }
        return SaslCredentials.plain(user, password);
    }

    /** How many servers hold each session: {@code replicas}. */
    int replicas() {
        return replicas;
    }

    /** The durable tier's settings, or null when neither {@code jdbcUrl} nor {@code dataSource} is given. */
    DurableTier durableTier() {
        return durableTier;
    }

    static DurableTier parseDurableTier(Function<Param, String> raw) {
        String url = raw.apply(Param.JDBC_URL);
        String jndi = raw.apply(Param.DATA_SOURCE);
        if (url == null && jndi == null) {
            for (Param dependent : List.of(Param.JDBC_USER, Param.JDBC_PASSWORD, Param.JDBC_TABLE,
                    Param.JDBC_CREATE_TABLE, Param.JDBC_TIMEOUT_MILLIS, Param.JDBC_POOL_SIZE,
                    Param.JDBC_ACCESS_WRITE_FRACTION)) {
                if (raw.apply(dependent) != null) {
                    throw invalid(dependent, dependent == Param.JDBC_PASSWORD ? "(hidden)" : raw.apply(dependent),
                            "nothing unless `" + Param.JDBC_URL.paramName()
                            + "` or `" + Param.DATA_SOURCE.paramName() + "` turns the durable tier on");
                }
            }
            return null;
        }
        if (url != null && jndi != null) {
            throw invalid(Param.DATA_SOURCE, jndi, "nothing when `" + Param.JDBC_URL.paramName()
                    + "` is given: the tier uses either its own pool or the container's DataSource");
        }
        if (url != null && !url.matches("jdbc:[A-Za-z0-9]+:\\S+")) {
            throw invalid(Param.JDBC_URL, redactedUrl(url), "a JDBC URL, `jdbc:<driver>:<details>`, e.g."
                    + " 'jdbc:postgresql://db.example:5432/app'");
        }
        if (jndi != null && (url == null) && (raw.apply(Param.JDBC_USER) != null || raw.apply(Param.JDBC_PASSWORD) != null
                || raw.apply(Param.JDBC_POOL_SIZE) != null)) {
            Param extra = raw.apply(Param.JDBC_USER) != null ? Param.JDBC_USER
                    : raw.apply(Param.JDBC_PASSWORD) != null ? Param.JDBC_PASSWORD : Param.JDBC_POOL_SIZE;
            throw invalid(extra, extra == Param.JDBC_PASSWORD ? "(hidden)" : raw.apply(extra), "nothing with `"
                    + Param.DATA_SOURCE.paramName() + "`: the container's DataSource has its own");
        }
        String table = raw.apply(Param.JDBC_TABLE) == null ? "memsession_sessions" : raw.apply(Param.JDBC_TABLE);
        if (!table.matches("[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?")) {
            throw invalid(Param.JDBC_TABLE, table, "an SQL identifier (letters, digits and '_', not starting with a"
                    + " digit, at most 63 characters), optionally qualified by a schema: 'schema.table'");
        }
        return new DurableTier(url, raw.apply(Param.JDBC_USER), raw.apply(Param.JDBC_PASSWORD), jndi, table,
                parseBoolean(Param.JDBC_CREATE_TABLE, raw.apply(Param.JDBC_CREATE_TABLE), false),
                Duration.ofMillis(parseRange(Param.JDBC_TIMEOUT_MILLIS, raw.apply(Param.JDBC_TIMEOUT_MILLIS), 1000, 250,
                        MAX_TIMEOUT_MILLIS)),
                (int) parseRange(Param.JDBC_POOL_SIZE, raw.apply(Param.JDBC_POOL_SIZE), 10, 2, 200),
                parseFraction(Param.JDBC_ACCESS_WRITE_FRACTION, raw.apply(Param.JDBC_ACCESS_WRITE_FRACTION), 0.1, 0.5));
    }

    private static double parseFraction(Param param, String value, double defaultValue, double max) {
        if (value == null) {
            return defaultValue;
        }
        String allowed = "a decimal number from 0 to " + max + ", e.g. '0.1'";
        double parsed;
        try {
            parsed = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw invalid(param, value, allowed);
        }
        if (!(parsed >= 0 && parsed <= max)) {
            throw invalid(param, value, allowed);
        }
        return parsed;
    }

    private static SessionConfig readMemcachedSettings(FilterConfig filterConfig, Function<Param, String> raw) {
        String contextPath = filterConfig.getServletContext().getContextPath();
        ClassLoader classLoader = webappClassLoader(filterConfig.getServletContext().getClassLoader());
        long sweepSeconds = parseRange(Param.EXPIRY_SWEEP_SECONDS, raw.apply(Param.EXPIRY_SWEEP_SECONDS), 30, 1, 3600);
        long graceSeconds = parseRange(Param.EXPIRY_GRACE_SECONDS, raw.apply(Param.EXPIRY_GRACE_SECONDS), 120, 2,
                86_400);
        if (graceSeconds < 2 * sweepSeconds) {
            throw invalid(Param.EXPIRY_GRACE_SECONDS, Long.toString(graceSeconds), "at least twice "
                    + Param.EXPIRY_SWEEP_SECONDS.paramName() + " (" + sweepSeconds + "), so that every node's"
                    + " sweep sees an expired session before memcached drops it");
        }
        return new SessionConfig(
                parseServers(raw.apply(Param.SERVERS)),
                parseKeyPrefix(raw.apply(Param.KEY_PREFIX), contextPath),
                parseAllowList(raw.apply(Param.ALLOWED_CLASSES)),
                Duration.ofMillis(parseMillis(Param.OP_TIMEOUT_MILLIS, raw.apply(Param.OP_TIMEOUT_MILLIS), 250)),
                Duration.ofMillis(parseMillis(Param.CONNECT_TIMEOUT_MILLIS,
                        raw.apply(Param.CONNECT_TIMEOUT_MILLIS), 1000)),
                parseBoolean(Param.COOKIE_HTTP_ONLY, raw.apply(Param.COOKIE_HTTP_ONLY), true),
                parseCookieName(raw.apply(Param.COOKIE_NAME)),
                createListeners(raw.apply(Param.LISTENERS), classLoader),
                parsePatterns(Param.KEEP_ALIVE_EXCLUDE, raw.apply(Param.KEEP_ALIVE_EXCLUDE)),
                Duration.ofSeconds(graceSeconds), Duration.ofSeconds(sweepSeconds),
                parseBoolean(Param.URL_TRACKING, raw.apply(Param.URL_TRACKING), false),
                parseChoice(Param.CONCURRENCY, raw.apply(Param.CONCURRENCY), "merge",
                        Map.of("merge", ConcurrencyMode.MERGE, "lock", ConcurrencyMode.LOCK, "none", ConcurrencyMode.NONE)),
                Duration.ofMillis(parseRange(Param.LOCK_TIMEOUT_MILLIS, raw.apply(Param.LOCK_TIMEOUT_MILLIS), 5000, 1,
                        600_000)),
                Duration.ofSeconds(parseRange(Param.LOCK_TTL_SECONDS, raw.apply(Param.LOCK_TTL_SECONDS), 60, 1, 3600)),
                (int) parseRange(Param.LOCK_QUEUE_MAX, raw.apply(Param.LOCK_QUEUE_MAX), 8, 0, 1000),
                (int) parseRange(Param.MAX_SESSION_BYTES, raw.apply(Param.MAX_SESSION_BYTES),
                        SessionRepository.MAX_DOCUMENT_BYTES, 1024, SessionRepository.MAX_DOCUMENT_BYTES),
                parseChoice(Param.LOCK_TIMEOUT_ACTION, raw.apply(Param.LOCK_TIMEOUT_ACTION), "fail",
                        Map.of("fail", true, "readonly", false)),
                parsePatterns(Param.LOCK_EXCLUDE, raw.apply(Param.LOCK_EXCLUDE)),
                parseChoice(Param.MUTATION_DETECTION, raw.apply(Param.MUTATION_DETECTION), "compare",
                        Map.of("compare", true, "setAttribute", false)),
                (int) parseRange(Param.DECODED_CACHE_SIZE, raw.apply(Param.DECODED_CACHE_SIZE), 2000, 0, 1_000_000),
                parseChoice(Param.ACCESS_WRITES, raw.apply(Param.ACCESS_WRITES), "wait",
                        Map.of("wait", true, "noreply", false)));
    }

    int decodedCacheSize() {
        return decodedCacheSize;
    }

    /** Whether access-time writes (and lock releases) wait for memcached's answer: {@code accessWrites=wait}. */
    boolean awaitAccessWrites() {
        return awaitAccessWrites;
    }

    ConcurrencyMode concurrency() {
        return concurrency;
    }

    Duration lockTimeout() {
        return lockTimeout;
    }

    Duration lockTtl() {
        return lockTtl;
    }

    int maxSessionBytes() {
        return maxSessionBytes;
    }

    /** Documents larger than this are stored compressed; 0: none. */
    int compressAboveBytes() {
        return compressAboveBytes;
    }

    int lockQueueMax() {
        return lockQueueMax;
    }

    boolean lockTimeoutFails() {
        return lockTimeoutFails;
    }

    PathPatterns lockExclude() {
        return lockExclude;
    }

    boolean detectMutations() {
        return detectMutations;
    }

    boolean urlTracking() {
        return urlTracking;
    }

    /**
     * The loader of the webapp's classes: the context's, or (embedded containers may report none) the
     * thread's during {@code init}, or memsession's own.
     */
    static ClassLoader webappClassLoader(ClassLoader contextLoader) {
        if (contextLoader != null) {
            return contextLoader;
        }
        ClassLoader threadLoader = Thread.currentThread().getContextClassLoader();
        return threadLoader != null ? threadLoader : SessionConfig.class.getClassLoader();
    }

    /** The configured cookie name, or null to use the webapp's. */
    String cookieName() {
        return cookieName;
    }

    List<Object> listeners() {
        return listeners;
    }

    PathPatterns keepAliveExclude() {
        return keepAliveExclude;
    }

    Duration expiryGrace() {
        return expiryGrace;
    }

    Duration expirySweep() {
        return expirySweep;
    }

    List<InetSocketAddress> servers() {
        return servers;
    }

    String keyPrefix() {
        return keyPrefix;
    }

    TypeAllowList allowList() {
        return allowList;
    }

    Duration opTimeout() {
        return opTimeout;
    }

    Duration connectTimeout() {
        return connectTimeout;
    }

    boolean cookieHttpOnly() {
        return cookieHttpOnly;
    }

    static List<InetSocketAddress> parseServers(String value) {
        String allowed = "one or more host:port separated by spaces or commas, e.g. '127.0.0.1:11211'";
        if (value == null) {
            throw invalid(Param.SERVERS, null, allowed);
        }
        List<InetSocketAddress> servers = new ArrayList<>();
        for (String entry : value.split("[,\\s]+")) {
            if (entry.isEmpty()) {
                continue;
            }
            int colon = entry.lastIndexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw invalid(Param.SERVERS, value, allowed + " ('" + entry + "' has no port)");
            }
            String host = entry.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(entry.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw invalid(Param.SERVERS, value, allowed + " ('" + entry + "' has no numeric port)");
            }
            if (port < 1 || port > 65535 || host.isEmpty()) {
                throw invalid(Param.SERVERS, value, allowed + " (port 1 to 65535 in '" + entry + "')");
            }
            servers.add(new InetSocketAddress(host, port));
        }
        if (servers.isEmpty()) {
            throw invalid(Param.SERVERS, value, allowed);
        }
        return servers;
    }

    static String parseKeyPrefix(String value, String contextPath) {
        if (value == null) {
            return defaultKeyPrefix(contextPath);
        }
        boolean printable = value.chars().allMatch(c -> c > 0x20 && c < 0x7f);
        if (!printable || value.length() > MAX_KEY_PREFIX_LENGTH) {
            throw invalid(Param.KEY_PREFIX, value,
                    "printable ASCII without spaces, at most " + MAX_KEY_PREFIX_LENGTH + " characters");
        }
        return value;
    }

    /**
     * {@code memsession:/shop:} for context path {@code /shop}, {@code memsession:/:} for the root
     * webapp; bytes that memcached keys cannot hold are percent-encoded, so distinct paths stay distinct.
     */
    static String defaultKeyPrefix(String contextPath) {
        String path = contextPath == null || contextPath.isEmpty() ? "/" : contextPath;
        StringBuilder prefix = new StringBuilder("memsession:");
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c > 0x20 && c < 0x7f && c != '%') {
                prefix.append((char) c);
            } else {
                prefix.append('%').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        String result = prefix.append(':').toString();
        if (result.length() > MAX_KEY_PREFIX_LENGTH) {
            throw invalid(Param.KEY_PREFIX, null, "an explicit prefix: the context path '" + contextPath
                    + "' is too long to derive one (at most " + MAX_KEY_PREFIX_LENGTH + " characters)");
        }
        return result;
    }

    private static TypeAllowList parseAllowList(String value) {
        return TypeAllowList.parse(value);
    }

    static long parseMillis(Param param, String value, long defaultValue) {
        return parseRange(param, value, defaultValue, 1, MAX_TIMEOUT_MILLIS);
    }

    private static long parseRange(Param param, String value, long defaultValue, long min, long max) {
        if (value == null) {
            return defaultValue;
        }
        String allowed = "a whole number from " + min + " to " + max;
        try {
            long number = Long.parseLong(value);
            if (number < min || number > max) {
                throw invalid(param, value, allowed);
            }
            return number;
        } catch (NumberFormatException e) {
            throw invalid(param, value, allowed);
        }
    }

    static String parseCookieName(String value) {
        if (value == null) {
            return null;
        }
        boolean token = value.chars().allMatch(c -> c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0);
        if (!token) {
            throw invalid(Param.COOKIE_NAME, value, "a cookie token: letters, digits and !#$%&'*+-.^_`|~");
        }
        return value;
    }

    private static <T> T parseChoice(Param param, String value, String defaultValue, Map<String, T> choices) {
        T choice = choices.get(value == null ? defaultValue : value);
        if (choice == null) {
            throw invalid(param, value, "one of " + new TreeSet<>(choices.keySet()));
        }
        return choice;
    }

    private static PathPatterns parsePatterns(Param param, String value) {
        try {
            return PathPatterns.parse(value);
        } catch (IllegalArgumentException e) {
            throw invalid(param, value, "URL patterns such as /static/* (prefix), *.css (extension) or"
                    + " /favicon.ico (exact), separated by spaces or commas; " + e.getMessage() + " is none of these");
        }
    }

    /** One instance of each named listener class, created through its public no-argument constructor. */
    static List<Object> createListeners(String value, ClassLoader classLoader) {
        if (value == null) {
            return List.of();
        }
        String allowed = "class names of HttpSessionListener, HttpSessionAttributeListener or"
                        + " HttpSessionIdListener implementations with a public no-argument constructor";
        List<Object> listeners = new ArrayList<>();
        for (String name : value.split("[,\\s]+")) {
            Object listener;
            try {
                Class<?> type = Class.forName(name, true, classLoader);
                listener = type.getConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                throw invalid(Param.LISTENERS, value, allowed + " ('" + name + "' cannot be created: " + e + ")");
            }
            if (!(listener instanceof HttpSessionListener) && !(listener instanceof HttpSessionAttributeListener)
                    && !(listener instanceof HttpSessionIdListener)) {
                throw invalid(Param.LISTENERS, value, allowed + " ('" + name + "' is none of these)");
            }
            listeners.add(listener);
        }
        return listeners;
    }

    private static boolean parseBoolean(Param param, String value, boolean defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(param, value, "true or false");
        };
    }

    static IllegalArgumentException invalid(Param param, String value, String allowed) {
        String given = value == null ? "is missing" : "is '" + value + "'";
        return new IllegalArgumentException("memsession init-param '" + param.paramName() + "' " + given
                        + "; allowed: " + allowed);
    }

    private static String trimToNull(String value) {
        if (value == null) {
            return null;
        }
        String trimmed = value.trim();
        return trimmed.isEmpty() ? null : trimmed;
    }
}
