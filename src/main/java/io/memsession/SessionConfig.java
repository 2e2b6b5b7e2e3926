package io.memsession;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import jakarta.servlet.FilterConfig;

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
                "memcached servers as `host:port`, separated by spaces or commas; sessions are spread over several"
                        + " servers by consistent hashing"),
        KEY_PREFIX("keyPrefix", "`memsession:<context path>:`",
                "prefix of every memcached key of this webapp, so that webapps sharing a memcached never see each"
                        + " other's sessions; printable ASCII without spaces, at most 200 characters"),
        ALLOWED_CLASSES("allowedClasses", "(none)",
                "application classes that may be stored in sessions, as class names or `package.*` (that package"
                        + " and its subpackages), separated by spaces or commas; they must implement"
                        + " `java.io.Serializable`"),
        OP_TIMEOUT_MILLIS("opTimeoutMillis", "250",
                "longest wait for one memcached operation, in milliseconds (1 to 60000)"),
        CONNECT_TIMEOUT_MILLIS("connectTimeoutMillis", "1000",
                "longest wait to connect to a memcached server, in milliseconds (1 to 60000)"),
        COOKIE_HTTP_ONLY("cookieHttpOnly", "true",
                "`true` or `false`: whether the session cookie carries HttpOnly; the container's"
                        + " `<http-only>` cannot be told apart from its default, so only this turns it off");

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

    SessionConfig(List<InetSocketAddress> servers, String keyPrefix, TypeAllowList allowList,
            Duration opTimeout, Duration connectTimeout, boolean cookieHttpOnly) {
        this.servers = List.copyOf(servers);
        this.keyPrefix = keyPrefix;
        this.allowList = allowList;
        this.opTimeout = opTimeout;
        this.connectTimeout = connectTimeout;
        this.cookieHttpOnly = cookieHttpOnly;
    }

    /** Reads and validates every init-param of the filter. */
    static SessionConfig read(FilterConfig filterConfig) {
        Function<Param, String> raw = p -> trimToNull(filterConfig.getInitParameter(p.paramName()));
        String contextPath = filterConfig.getServletContext().getContextPath();
        return new SessionConfig(
                parseServers(raw.apply(Param.SERVERS)),
                parseKeyPrefix(raw.apply(Param.KEY_PREFIX), contextPath),
                parseAllowList(raw.apply(Param.ALLOWED_CLASSES)),
                Duration.ofMillis(parseMillis(Param.OP_TIMEOUT_MILLIS, raw.apply(Param.OP_TIMEOUT_MILLIS), 250)),
                Duration.ofMillis(parseMillis(Param.CONNECT_TIMEOUT_MILLIS,
                        raw.apply(Param.CONNECT_TIMEOUT_MILLIS), 1000)),
                parseBoolean(Param.COOKIE_HTTP_ONLY, raw.apply(Param.COOKIE_HTTP_ONLY), true));
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

    private static long parseMillis(Param param, String value, long defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        String allowed = "a whole number of milliseconds from 1 to " + MAX_TIMEOUT_MILLIS;
        try {
            long millis = Long.parseLong(value);
            if (millis < 1 || millis > MAX_TIMEOUT_MILLIS) {
                throw invalid(param, value, allowed);
            }
            return millis;
        } catch (NumberFormatException e) {
            throw invalid(param, value, allowed);
        }
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
