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
                        + "over several servers by consistent hashing. IPv6 as `[::1]:11211`."),
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
                "how often each node looks for expired sessions among those it served, to announce their "
                        + "end (1 to 3600). Only runs when `listeners` or `allowedClasses` is set: otherwise "
                        + "nothing could hear the announcement."),
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
                        + "values passed to `setAttribute` count, which saves that encoding work.");

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
    private final boolean lockTimeoutFails;
    private final PathPatterns lockExclude;
    private final boolean detectMutations;

    SessionConfig(List<InetSocketAddress> servers, String keyPrefix, TypeAllowList allowList,
            Duration opTimeout, Duration connectTimeout, boolean cookieHttpOnly, String cookieName,
            List<Object> listeners,
            PathPatterns keepAliveExclude, Duration expiryGrace, Duration expirySweep, boolean urlTracking,
            ConcurrencyMode concurrency, Duration lockTimeout, Duration lockTtl, int lockQueueMax,
            boolean lockTimeoutFails,
            PathPatterns lockExclude, boolean detectMutations) {
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
        this.lockTimeoutFails = lockTimeoutFails;
        this.lockExclude = lockExclude;
        this.detectMutations = detectMutations;
    }

    /** Reads and validates every init-param of the filter. */
    static SessionConfig read(FilterConfig filterConfig) {
        Function<Param, String> raw = p -> trimToNull(filterConfig.getInitParameter(p.paramName()));
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
                parseChoice(Param.LOCK_TIMEOUT_ACTION, raw.apply(Param.LOCK_TIMEOUT_ACTION), "fail",
                        Map.of("fail", true, "readonly", false)),
                parsePatterns(Param.LOCK_EXCLUDE, raw.apply(Param.LOCK_EXCLUDE)),
                parseChoice(Param.MUTATION_DETECTION, raw.apply(Param.MUTATION_DETECTION), "compare",
                        Map.of("compare", true, "setAttribute", false)));
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
