package io.memsession.benchmark;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

/**
 * The application every mode serves, identically:
 * <ul>
 * <li>{@code /counter}: increments the Integer attribute {@code count}; a new session also gets the
 * {@code profile} attribute, a map of about 1 KB of JDK types; answers the new count;</li>
 * <li>{@code /read}: reads {@code count} and {@code profile} and changes nothing; answers the count;
 * 410 when the request names no live session (so a lost session counts as an error);</li>
 * <li>{@code /static}: a fixed answer that never asks for the session, whatever cookie is sent.</li>
 * </ul>
 */
public final class ProfileServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    static final String COUNT = "count";
    static final String PROFILE = "profile";

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain;charset=UTF-8");
        switch (request.getServletPath()) {
            case "/counter" -> {
                HttpSession session = request.getSession(true);
                Integer count = (Integer) session.getAttribute(COUNT);
                if (count == null) {
                    session.setAttribute(PROFILE, profile(session.getId()));
                }
                int next = count == null ? 1 : count + 1;
                session.setAttribute(COUNT, next);
                response.getWriter().print(next);
            }
            case "/read" -> {
                HttpSession session = request.getSession(false);
                if (session == null) {
                    response.sendError(HttpServletResponse.SC_GONE, "no session");
                    return;
                }
                Integer count = (Integer) session.getAttribute(COUNT);
                @SuppressWarnings("unchecked")
                Map<String, Object> profile = (Map<String, Object>) session.getAttribute(PROFILE);
                if (count == null || profile == null) {
                    response.sendError(HttpServletResponse.SC_CONFLICT, "session without count or profile");
                    return;
                }
                response.getWriter().print(count + " " + profile.get("name"));
            }
            case "/static" -> response.getWriter().print("static");
            default -> response.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }

    /** About 1 KB once encoded: strings, numbers, a date, an instant, a UUID, a list and a nested map. */
    static Map<String, Object> profile(String seed) {
        Map<String, Object> profile = new LinkedHashMap<>();
        profile.put("name", "User " + Math.abs(seed.hashCode()));
        profile.put("email", "user" + Math.abs(seed.hashCode()) + "@example.org");
        profile.put("userId", (long) seed.hashCode());
        profile.put("uuid", UUID.nameUUIDFromBytes(seed.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        profile.put("locale", "en-GB");
        profile.put("timeZone", "Europe/London");
        profile.put("admin", Boolean.FALSE);
        profile.put("loginCount", 42);
        profile.put("balance", 1234.5);
        profile.put("birthDate", LocalDate.of(1980, 5, 17));
        profile.put("lastLogin", Instant.parse("2026-01-02T03:04:05Z"));
        List<String> roles = new ArrayList<>(List.of("reader", "writer", "reviewer", "customer"));
        profile.put("roles", roles);
        Map<String, Object> address = new LinkedHashMap<>();
        address.put("street", "221B Baker Street");
        address.put("city", "London");
        address.put("postcode", "NW1 6XE");
        address.put("country", "United Kingdom");
        profile.put("address", address);
        Map<String, Object> preferences = new LinkedHashMap<>();
        preferences.put("theme", "dark");
        preferences.put("newsletter", Boolean.TRUE);
        preferences.put("pageSize", 50);
        preferences.put("currency", "GBP");
        preferences.put("recentSearches", new ArrayList<>(List.of("memcached sessions", "jetty 12 clustering",
                "servlet filter", "non-sticky load balancing", "session replication")));
        profile.put("preferences", preferences);
        List<Long> recentItems = new ArrayList<>();
        for (long i = 0; i < 20; i++) {
            recentItems.add(1_000_000L + i * 7919L);
        }
        profile.put("recentItems", recentItems);
        profile.put("note", "x".repeat(200));
        return profile;
    }
}
