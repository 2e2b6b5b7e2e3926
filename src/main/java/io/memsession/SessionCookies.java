package io.memsession;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.ServletContext;
import jakarta.servlet.SessionCookieConfig;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads session ids from, and writes them to, the session cookie described by the webapp's
 * {@link SessionCookieConfig} ({@code <cookie-config>} in web.xml), captured once at start-up.
 */
final class SessionCookies {

    private static final Logger LOG = LoggerFactory.getLogger(SessionCookies.class);

    static final String DEFAULT_NAME = "JSESSIONID";
    static final String DEFAULT_SAME_SITE = "Lax";
    /**
     * Attributes set through their own setters (some containers also list the name among the
     * attributes); the rest of the config's attributes are copied as they are.
     */
    private static final Set<String> DEDICATED_ATTRIBUTES =
            Set.of("name", "path", "domain", "max-age", "secure", "httponly", "comment", "expires");

    private final String name;
    private final String path;
    private final String domain;
    private final int maxAge;
    private final boolean alwaysSecure;
    private final boolean httpOnly;
    private final Map<String, String> extraAttributes;

    SessionCookies(String name, String path, String domain, int maxAge, boolean alwaysSecure, boolean httpOnly,
            Map<String, String> extraAttributes) {
        this.name = name;
        this.path = path;
        this.domain = domain;
        this.maxAge = maxAge;
        this.alwaysSecure = alwaysSecure;
        this.httpOnly = httpOnly;
        this.extraAttributes = Collections.unmodifiableMap(new LinkedHashMap<>(extraAttributes));
    }

    /**
     * The cookie as the webapp configured it, with memsession's defaults where it did not.
     *
     * @param httpOnly {@code cookieHttpOnly}, which alone decides: the container's {@code <http-only>}
     *     cannot be told apart from its default (Tomcat's is true, Jetty's false)
     * @param nameOverride memsession's own cookie name ({@code cookieName}), or null for the webapp's
     */
    static SessionCookies from(ServletContext context, boolean httpOnly, String nameOverride) {
        SessionCookieConfig config = context.getSessionCookieConfig();
        if (config == null) {
            // a context without a session manager of its own (Jetty's NO_SESSIONS) has no cookie config
            LOG.info("context '{}' has no session cookie configuration: memsession uses its defaults (cookie {},"
                    + " path = context path, HttpOnly, SameSite={})", context.getContextPath(),
                    nameOverride != null ? nameOverride : DEFAULT_NAME, DEFAULT_SAME_SITE);
            String path = context.getContextPath().isEmpty() ? "/" : context.getContextPath();
            return new SessionCookies(nameOverride != null ? nameOverride : DEFAULT_NAME, path, null, -1, false,
                    httpOnly, Map.of("SameSite", DEFAULT_SAME_SITE));
        }
        String name = nameOverride != null ? nameOverride : blankToNull(config.getName());
        String path = blankToNull(config.getPath());
        if (path == null) {
            path = context.getContextPath().isEmpty() ? "/" : context.getContextPath();
        }
        Map<String, String> extra = new LinkedHashMap<>();
        config.getAttributes().forEach((key, value) -> {
            if (!DEDICATED_ATTRIBUTES.contains(key.toLowerCase(Locale.ROOT))) {
                extra.put(key, value);
            }
        });
        boolean sameSiteGiven = extra.keySet().stream().anyMatch(k -> k.equalsIgnoreCase("SameSite"));
        if (!sameSiteGiven) {
            extra.put("SameSite", DEFAULT_SAME_SITE);
        }
        return new SessionCookies(name == null ? DEFAULT_NAME : name, path, blankToNull(config.getDomain()),
                config.getMaxAge(), config.isSecure(), httpOnly, extra);
    }

    String name() {
        return name;
    }

    /** The values of every session cookie the request carries, in the order sent; possibly malformed. */
    List<String> requestedValues(HttpServletRequest request) {
        Cookie[] cookies = request.getCookies();
        if (cookies == null) {
            return List.of();
        }
        List<String> values = new ArrayList<>(1);
        for (Cookie cookie : cookies) {
            if (name.equals(cookie.getName())) {
                values.add(cookie.getValue());
            }
        }
        return values;
    }

    /** Adds a Set-Cookie for {@code id}; Secure when configured or when the request came over TLS. */
    void write(HttpServletRequest request, HttpServletResponse response, String id) {
        Cookie cookie = new Cookie(name, id);
        cookie.setPath(path);
        if (domain != null) {
            cookie.setDomain(domain);
        }
        cookie.setMaxAge(maxAge);
        cookie.setSecure(alwaysSecure || request.isSecure());
        cookie.setHttpOnly(httpOnly);
        extraAttributes.forEach(cookie::setAttribute);
        response.addCookie(cookie);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
