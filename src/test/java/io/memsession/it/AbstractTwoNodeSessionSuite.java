package io.memsession.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The foundation behaviour of {@code MemcachedSessionFilter}, proven end to end with real parts: one
 * memcached process and two nodes (A and B) of one servlet container running the same webapp at
 * {@code /app} through the filter, and one browser (cookie jar) whose requests alternate between the nodes
 * as a load balancer would send them. Only the public filter class and the Servlet API are used; memcached
 * is inspected through its own text protocol ({@link MemcachedProcess}).
 *
 * <p>Written once for every container: a subclass names the container ({@link #kind()}) and the whole
 * suite runs on it ({@link JettyTwoNodeSessionTest}, {@link TomcatTwoNodeSessionTest}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractTwoNodeSessionSuite {

    private static final String ALLOWED = "io.memsession.it.Cart io.memsession.it.Flavor io.memsession.it.model.*";
    private static final int WEBAPP_TIMEOUT_MINUTES = 17;
    private static final Pattern ID_SHAPE = Pattern.compile("[A-Za-z0-9_-]+");

    private MemcachedProcess memcached;
    protected ContainerNode a;
    private ContainerNode b;

    private Browser browser;

    /** The container every node of this suite runs on. */
    protected abstract ContainerNode.Kind kind();

    @BeforeAll
    void startNodes() throws Exception {
        memcached = MemcachedProcess.start();
        a = webapp("A", "/app").start();
        b = webapp("B", "/app").start();
    }

    @AfterAll
    void stopNodes() throws Exception {
        try {
            if (a != null) {
                a.stop();
            }
            if (b != null) {
                b.stop();
            }
        } finally {
            if (memcached != null) {
                memcached.close();
            }
        }
    }

    @BeforeEach
    void newBrowser() {
        browser = new Browser();
    }

    /** A node of the shared webapp: the filter pointed at the test memcached, the test classes allowed. */
    protected ContainerNode.Builder webapp(String name, String contextPath) {
        // no expiry sweep during the suite: a sweep loading a short-lived session of an earlier test would
        // add to the memcached counters that the cost tests read (the sweep has its own tests)
        return kind().builder(name).contextPath(contextPath).servers(memcached.address())
                .initParam("allowedClasses", ALLOWED).sessionTimeoutMinutes(WEBAPP_TIMEOUT_MINUTES)
                .initParam("expirySweepSeconds", "3600").initParam("expiryGraceSeconds", "7200");
    }

    // ------------------------------------------------------------------------------------ helpers

    /** Runs probe ops on {@code node} with the shared cookie jar; must answer 200 without any op failing. */
    protected Browser.Response on(ContainerNode node, String... ops) {
        Browser.Response r = onAllowingErrors(node, ops);
        assertNull(r.p("error"), () -> "an op failed on " + node.name() + ": " + r);
        return r;
    }

    /** Runs probe ops on {@code node}; must answer 200, ops may fail (reported as error.VERB). */
    private Browser.Response onAllowingErrors(ContainerNode node, String... ops) {
        Browser.Response r = browser.get(node.probe(ops));
        assertEquals(200, r.status(), () -> node.name() + " answered " + r);
        return r;
    }

    /** Creates a session on A with one attribute and returns its id (taken from the jar, i.e. the cookie). */
    protected String sessionOnA(String attr, String value) {
        Browser.Response r = on(a, "get:true", "set:" + attr + ":string:" + value);
        String id = r.p("id");
        assertNotNull(id, r::toString);
        assertEquals(id, browser.cookie("JSESSIONID").orElse(null), "the cookie carries the session id");
        return id;
    }

    private static String key(ContainerNode node, String id) {
        return ItSupport.storedKey("memsession:" + node.contextPath() + ":", id);
    }

    private static String randomWellFormedId() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static long delta(Map<String, Long> before, Map<String, Long> after, String stat) {
        return after.get(stat) - before.get(stat);
    }

    // ------------------------------------------------------------------------------------ configuration

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "servers              | NULL          ",
        "servers              | 127.0.0.1     ",
        "servers              | 127.0.0.1:abc ",
        "opTimeoutMillis      | abc           ",
        "opTimeoutMillis      | -5            ",
        "connectTimeoutMillis | soon          ",
        "connectTimeoutMillis | 0             ",
        "keyPrefix            | 'has space:'  ",
        "allowedClasses       | java.*        ",
        "allowedClasses       | 'com..Bad'    ",
    })
    void wrongOrMissingInitParam_failsStartup_withMessageNamingTheParameter(String param, String value) {
        ContainerNode.Builder builder = kind().builder("misconfigured-" + param);
        if (!param.equals("servers")) {
            builder.servers(memcached.address());
        }
        if (value != null) {
            builder.initParam(param, value);
        }
        ContainerNode node = builder.build();
        Exception e = assertThrows(Exception.class, node::start, "the webapp must not start");
        String messages = ItSupport.messages(e);
        assertTrue(messages.contains(param), () -> "start-up failure must name '" + param + "':\n" + messages);
        assertTrue(messages.contains("ServletException") || messages.contains("UnavailableException"),
                () -> "filter init should fail with a ServletException:\n" + messages);
    }

    @Test
    void defaultKeyPrefix_keepsTwoWebappsOnOneMemcachedApart() throws Exception {
        String appId = sessionOnA("owner", "app");
        ContainerNode other = webapp("C", "/other").start();
        try {
            // The /app session id presented to /other (same memcached) is no session there.
            Browser.Response r = Browser.rawWithCookie(other.port(),
                    other.probePath("requested", "get:false", "get:true"), "JSESSIONID=" + appId);
            assertEquals(200, r.status(), r::toString);
            assertEquals("false", r.p("requestedValid"), r::toString);
            String otherId = r.p("id");
            assertNotNull(otherId, r::toString);
            assertNotEquals(appId, otherId, "the /app id must not be adopted by /other");

            // ...and the /other session is no session in /app.
            Browser.Response back = Browser.rawWithCookie(a.port(), a.probePath("get:false", "requested"),
                    "JSESSIONID=" + otherId);
            assertEquals("null", back.p("session"), back::toString);
            assertEquals("false", back.p("requestedValid"));

            // The keys live apart in memcached, and the /app session is untouched.
            assertNotNull(memcached.rawGet(key(a, appId)));
            assertNull(memcached.rawGet(key(other, appId)));
            assertNotNull(memcached.rawGet(key(other, otherId)));
            assertEquals("app", on(b, "attr:owner").p("attr.owner"));
        } finally {
            other.stop();
        }
    }

    /** What memcached lists to anyone who can reach it names no live session: keys carry a hash of the id. */
    @Test
    void memcachedKeyListing_revealsNoSessionId() {
        String first = sessionOnA("x", "1");
        on(b, "get:false", "attr:x");
        browser = new Browser();
        String second = sessionOnA("y", "2");
        List<String> keys = memcached.metadumpKeys();
        assertTrue(keys.contains(key(a, first)), () -> "the listing holds the sessions' hashed keys: " + keys);
        for (String listed : keys) {
            assertFalse(listed.contains(first) || listed.contains(second), "a key names a live session: " + listed);
        }
    }

    @Test
    void explicitKeyPrefix_isThePrefixOfTheMemcachedKey() throws Exception {
        ContainerNode custom = webapp("D", "/app").initParam("keyPrefix", "it-custom:").start();
        try {
            Browser.Response r = browser.get(custom.probe("get:true", "set:x:string:y"));
            assertEquals(200, r.status(), r::toString);
            String id = r.p("id");
            assertNotNull(memcached.rawGet(ItSupport.storedKey("it-custom:", id)), "stored under the configured prefix");
            assertNull(memcached.rawGet(key(a, id)), "not under the default prefix");
        } finally {
            custom.stop();
        }
    }

    @Test
    void newSession_getsTheWebappSessionTimeout_onBothNodes() {
        Browser.Response created = on(a, "get:true", "maxInactive", "context");
        assertEquals(Integer.toString(WEBAPP_TIMEOUT_MINUTES), created.p("contextSessionTimeout"));
        assertEquals(Integer.toString(WEBAPP_TIMEOUT_MINUTES * 60), created.p("maxInactive"));
        assertEquals(Integer.toString(WEBAPP_TIMEOUT_MINUTES * 60), on(b, "get:false", "maxInactive").p("maxInactive"));
    }

    // ------------------------------------------------------------------------------------ cookie

    @Test
    void sessionCookie_isJsessionid_pathIsContextPath_httpOnly_sameSiteLax_notSecureOnHttp() {
        Browser.Response r = on(a, "get:true");
        List<String> setCookies = r.setCookies("JSESSIONID");
        assertEquals(1, setCookies.size(), r::toString);
        String header = setCookies.get(0);
        List<String> parts = new ArrayList<>();
        for (String p : header.split(";")) {
            parts.add(p.trim().toLowerCase(Locale.ROOT));
        }
        assertAll(header,
            () -> assertEquals("JSESSIONID=" + r.p("id"), header.split(";")[0].trim()),
            () -> assertTrue(parts.contains("path=/app"), "Path=/app"),
            () -> assertTrue(parts.contains("httponly"), "HttpOnly"),
            () -> assertTrue(parts.contains("samesite=lax"), "SameSite=Lax"),
            () -> assertFalse(parts.contains("secure"), "no Secure on plain http"));
    }

    @Test
    void setCookie_isSentOnlyWhenASessionIsCreatedOrItsIdChanges() {
        Browser.Response created = on(a, "get:true", "set:x:string:1");
        assertEquals(1, created.setCookies("JSESSIONID").size(), created::toString);

        assertEquals(List.of(), on(b, "get:false", "attr:x").setCookies("JSESSIONID"), "plain read");
        assertEquals(List.of(), on(a, "get:true", "set:x:string:2").setCookies("JSESSIONID"), "write");
        assertEquals(List.of(), on(b, "get:true", "setMaxInactive:999").setCookies("JSESSIONID"), "interval");
        Browser.Response plain = browser.get(a.url(ContainerNode.PLAIN));
        assertEquals(List.of(), plain.setCookies("JSESSIONID"), "no session use");

        Browser.Response changed = on(b, "get:false", "changeId");
        List<String> sc = changed.setCookies("JSESSIONID");
        assertEquals(1, sc.size(), changed::toString);
        assertTrue(sc.get(0).startsWith("JSESSIONID=" + changed.p("changeId.new") + ";"), sc::toString);
    }

    @Test
    void cookieName_followsTheWebappsSessionCookieConfig() throws Exception {
        ContainerNode named = webapp("E", "/app").cookieName("SHOPSESSION").start();
        try {
            Browser.Response r = browser.get(named.probe("get:true", "set:x:string:named"));
            assertEquals(200, r.status(), r::toString);
            assertEquals(1, r.setCookies("SHOPSESSION").size(), r::toString);
            assertEquals(List.of(), r.setCookies("JSESSIONID"), r::toString);
            assertEquals(r.p("id"), browser.cookie("SHOPSESSION").orElse(null));
            Browser.Response again = browser.get(named.probe("get:false", "attr:x"));
            assertEquals("named", again.p("attr.x"), again::toString);
        } finally {
            named.stop();
        }
    }

    // ------------------------------------------------------------------------------------ container

    @Test
    void containersOwnSession_isNeverCreated_whateverTheApplicationDoes() {
        int beforeA = a.containerSessionsCreated();
        int beforeB = b.containerSessionsCreated();
        Browser.Response created = on(a, "get:true", "set:x:long:1", "sessionClass", "requested");
        assertTrue(created.p("sessionClass").startsWith("io.memsession."), created::toString);
        on(b, "get:default", "isNew", "names", "changeId");
        on(a, "get:false", "setMaxInactive:100", "flush");
        on(b, "get:false", "invalidate", "get:true", "set:y:string:2");
        browser.get(a.url(ContainerNode.PLAIN));
        assertEquals(0, a.containerSessionsCreated() - beforeA, kind() + " sessions created on A");
        assertEquals(0, b.containerSessionsCreated() - beforeB, kind() + " sessions created on B");
        assertEquals(0, a.containerSessionsCreated(), kind() + " sessions ever created on A");
        assertEquals(0, b.containerSessionsCreated(), kind() + " sessions ever created on B");
    }

    // ------------------------------------------------------------------------------------ resolving the cookie

    static Stream<Arguments> badCookieValues() {
        return Stream.of(
            "short",
            "A".repeat(31),
            "A".repeat(33),
            "A".repeat(5000),
            "x flush_all noreply",
            "\"x flush_all noreply\"",
            "x\r\nflush_all noreply",
            "x%0D%0Aflush_all%0D%0A",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n",
            "../../../../etc/passwd_AAAAAAAAA",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+/",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
            "\u00e9".repeat(32),
            "\u20ac".repeat(32),
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\u0000\u0001",
            "").map(v -> Arguments.of(printable(v), v));
    }

    /** A test name for a cookie value: control and non-ASCII chars escaped, long values cut. */
    private static String printable(String v) {
        StringBuilder sb = new StringBuilder();
        v.chars().limit(40).forEach(c -> sb.append(c >= 0x20 && c < 0x7f ? Character.toString(c)
                : String.format("\\u%04x", c)));
        return (v.length() > 40 ? sb + "...(" + v.length() + " chars)" : sb.toString()) + (v.isEmpty() ? "(empty)" : "");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badCookieValues")
    void malformedOrInjectedCookie_isNoSession_neverA500_andLeavesTheStoreIntact(String label, String bad) {
        String storedId = sessionOnA("keep", "me");
        memcached.rawSet("it:sentinel", "still-here".getBytes(StandardCharsets.US_ASCII));
        long itemsBefore = memcached.stat("curr_items");

        Map<String, Long> beforeLook = memcached.stats();
        Browser.Response look = Browser.rawWithCookie(a.port(), a.probePath("get:false", "requested"),
                "JSESSIONID=" + bad);
        Map<String, Long> afterLook = memcached.stats();
        assertEquals(0, delta(beforeLook, afterLook, "cmd_get") + delta(beforeLook, afterLook, "cmd_set")
                + delta(beforeLook, afterLook, "cmd_touch") + delta(beforeLook, afterLook, "delete_misses")
                + delta(beforeLook, afterLook, "delete_hits"), "a malformed cookie never reaches memcached");
        // The container's HTTP parser may refuse the header itself (CR LF, NUL): 400 on Jetty and Tomcat alike.
        assertTrue(look.status() == 200 || look.status() == 400, look::toString);
        if (look.status() == 200) {
            assertEquals("null", look.p("session"), look::toString);
            assertEquals("false", look.p("requestedValid"), look::toString);
            assertNull(look.p("error"), look::toString);
        }
        assertTrue(memcached.stat("curr_items") <= itemsBefore, "no item stored by a request without a session");

        Browser.Response create = Browser.rawWithCookie(a.port(), a.probePath("get:false", "get:true", "isNew"),
                "JSESSIONID=" + bad);
        assertEquals(look.status(), create.status(), create::toString);
        if (create.status() == 200) {
            String newId = create.p("id");
            assertNotNull(newId, create::toString);
            assertNotEquals(bad, newId);
            assertNotEquals(storedId, newId);
            assertTrue(ID_SHAPE.matcher(newId).matches(), newId);
            assertEquals("true", create.p("isNew"), create::toString);
            assertEquals(1, create.setCookies("JSESSIONID").size(), create::toString);
        }

        // nothing stored before was damaged: not the sentinel, not the session
        assertEquals("still-here", new String(memcached.rawGet("it:sentinel"), StandardCharsets.US_ASCII));
        assertNotNull(memcached.rawGet(key(a, storedId)), "the stored session is still in memcached");
        assertEquals("me", on(b, "get:false", "attr:keep").p("attr.keep"), "the stored session still loads");
    }

    @Test
    void manySessionCookies_costAtMostThreeLookups_duplicatesOnce() {
        String live = sessionOnA("keep", "me");
        StringBuilder header = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            String forged = i % 2 == 0 ? randomWellFormedId() : "A".repeat(32);
            header.append(header.length() == 0 ? "" : "; ").append("JSESSIONID=").append(forged);
        }
        Map<String, Long> before = memcached.stats();
        Browser.Response r = Browser.rawWithCookie(b.port(), b.probePath("get:false", "requested"),
                header.toString());
        Map<String, Long> after = memcached.stats();
        assertEquals(200, r.status(), r::toString);
        assertEquals("null", r.p("session"), r::toString);
        assertTrue(delta(before, after, "cmd_get") <= 2 * 3, // three candidates (docs/behaviour.md), two keys each
                () -> "lookups: " + delta(before, after, "cmd_get"));

        // a stale cookie beside the live one, both sent twice: found, at most two candidates looked up
        String stale = randomWellFormedId();
        Map<String, Long> before2 = memcached.stats();
        Browser.Response found = Browser.rawWithCookie(b.port(), b.probePath("get:false", "attr:keep"),
                "JSESSIONID=" + stale + "; JSESSIONID=" + stale + "; JSESSIONID=" + live + "; JSESSIONID=" + live);
        Map<String, Long> after2 = memcached.stats();
        assertEquals("me", found.p("attr.keep"), found::toString);
        assertEquals(4, delta(before2, after2, "cmd_get"), "two distinct candidates, one multi-get each");
    }

    @Test
    void forgedWellFormedId_isNeverAdopted() {
        String forged = randomWellFormedId();
        Browser.Response r = Browser.rawWithCookie(b.port(),
                b.probePath("requested", "get:false", "get:true", "set:x:string:y"), "JSESSIONID=" + forged);
        assertEquals(200, r.status(), r::toString);
        assertEquals(forged, r.p("requestedId"), "getRequestedSessionId tells what the client sent");
        assertEquals("false", r.p("requestedValid"));
        assertEquals("true", r.p("fromCookie"));
        String given = r.p("id");
        assertNotEquals(forged, given, "a new session must get a fresh server-made id");
        assertTrue(r.setCookies("JSESSIONID").get(0).startsWith("JSESSIONID=" + given + ";"), r::toString);
        assertNull(memcached.rawGet(key(a, forged)), "nothing stored under the forged id");
        assertNotNull(memcached.rawGet(key(a, given)));
    }

    // ------------------------------------------------------------------------------------ lazy loading

    @Test
    void requestWithoutSessionCookie_thatNeverTouchesTheSession_costsNoMemcachedOperation() {
        Map<String, Long> before = memcached.stats();
        Browser.Response plain = browser.get(b.url(ContainerNode.PLAIN));
        Map<String, Long> after = memcached.stats();
        assertEquals(200, plain.status());
        assertEquals("ok", plain.p("plain"));
        assertAll(
            () -> assertEquals(0, delta(before, after, "cmd_get"), "gets"),
            () -> assertEquals(0, delta(before, after, "cmd_set"), "sets"),
            () -> assertEquals(0, delta(before, after, "cmd_touch"), "touches"));
    }

    @Test
    void requestWithSessionCookie_thatNeverTouchesTheSession_neverLoadsTheDocument() {
        String id = sessionOnA("x", "1");
        on(b, "get:false", "attr:x"); // gives the session its access record
        Map<String, Long> before = memcached.stats();
        Browser.Response plain = browser.get(b.url(ContainerNode.PLAIN));
        Map<String, Long> after = memcached.stats();
        assertEquals(200, plain.status());
        assertAll(
            () -> assertEquals(1, delta(before, after, "cmd_get"), "only the access record is read"),
            () -> assertEquals(1, delta(before, after, "cas_hits"), "and updated by compare-and-set"),
            () -> assertEquals(0, delta(before, after, "cmd_touch"), "the document's life is still long"));
        assertEquals("1", on(a, "get:false", "attr:x").p("attr.x"));
        assertEquals(id, browser.cookie("JSESSIONID").orElse(null));
    }

    @Test
    void requestUnderKeepAliveExclude_thatNeverTouchesTheSession_costsNoMemcachedOperation() throws Exception {
        ContainerNode excluding = webapp("E", "/app").initParam("keepAliveExclude", ContainerNode.PLAIN).start();
        try {
            sessionOnA("x", "1");
            Map<String, Long> before = memcached.stats();
            Browser.Response plain = browser.get(excluding.url(ContainerNode.PLAIN));
            Map<String, Long> after = memcached.stats();
            assertEquals(200, plain.status());
            assertEquals(0, delta(before, after, "cmd_get") + delta(before, after, "cmd_set")
                    + delta(before, after, "cmd_touch"), "no memcached operation at all");
        } finally {
            excluding.stop();
        }
    }

    @Test
    void severalGetSessionCalls_inOneRequest_loadOnce_andReturnTheSameObject() {
        sessionOnA("x", "1");
        Map<String, Long> before = memcached.stats();
        Browser.Response r = on(b, "get:false", "get:true", "get:default", "get:false", "identity",
                "requested", "attr:x");
        Map<String, Long> after = memcached.stats();
        assertEquals("true", r.p("sameObject"), r::toString);
        assertEquals("4", r.p("sessionsSeen"));
        assertEquals("1", r.p("attr.x"));
        assertEquals(2, delta(before, after, "cmd_get"),
                "exactly one load for the whole request: document and access record in one multi-get");
    }

    // ------------------------------------------------------------------------------------ ids

    @Test
    void sessionIds_areUrlSafe_carryAtLeast128Bits_andAreAllDistinct() {
        int n = 200;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ContainerNode node = i % 2 == 0 ? a : b;
            Browser.Response r = Browser.raw(node.port(), node.probePath("get:true"));
            assertEquals(200, r.status(), r::toString);
            ids.add(r.p("id"));
        }
        assertEquals(n, new HashSet<>(ids).size(), "all ids distinct");
        int length = ids.get(0).length();
        for (String id : ids) {
            assertTrue(ID_SHAPE.matcher(id).matches(), () -> "URL-safe alphabet: " + id);
            assertEquals(length, id.length(), "one id length");
        }
        assertTrue(length * 6 >= 128, () -> "an id of " + length + " base64 chars cannot hold 128 bits");
        // No fixed or counting part: every position but the last (which may be partial) varies widely.
        for (int pos = 0; pos < length - 1; pos++) {
            Set<Character> seen = new HashSet<>();
            for (String id : ids) {
                seen.add(id.charAt(pos));
            }
            assertTrue(seen.size() >= 32, "position " + pos + " takes only " + seen.size() + " values");
        }
        List<String> sorted = new ArrayList<>(ids);
        Collections.sort(sorted);
        for (int i = 1; i < sorted.size(); i++) {
            String p = sorted.get(i - 1);
            String q = sorted.get(i);
            int common = 0;
            while (common < p.length() && p.charAt(common) == q.charAt(common)) {
                common++;
            }
            assertTrue(common < 6, "ids share a " + common + "-char prefix: " + p + " " + q);
        }
    }

    // ------------------------------------------------------------------------------------ commit

    /**
     * How a response gets committed, and whether the client receives the complete response while the
     * servlet is still running (so the test can hold the servlet and prove the session was saved before).
     */
    static Stream<Arguments> commitWays() {
        return Stream.of(
            Arguments.of("redirect:/app/next", 302),
            Arguments.of("error:409", 409),
            Arguments.of("flush", 200),
            Arguments.of("contentLength:100", 200),
            Arguments.of("overflow", 200),
            Arguments.of("streamFlush", 200),
            Arguments.of("streamClose", 200),
            Arguments.of("writerFlush", 200),
            Arguments.of("writerOverflow", 200));
    }

    @ParameterizedTest(name = "{0} on a new session")
    @MethodSource("commitWays")
    void attributeSetBeforeCommit_onANewSession_isVisibleOnTheOtherNodeInTheNextRequest(String commit, int status)
            throws Exception {
        String hold = holdName("new", commit);
        Browser.Response r = commitWhileHeld(hold, a.probe("get:true", "set:cart:string:full", commit, "hold:" + hold),
                status);
        assertEquals(1, r.setCookies("JSESSIONID").size(), () -> "the new session's cookie must go out: " + r);
    }

    @ParameterizedTest(name = "{0} on an existing session")
    @MethodSource("commitWays")
    void attributeSetBeforeCommit_onAnExistingSession_isVisibleOnTheOtherNodeInTheNextRequest(String commit,
            int status) throws Exception {
        sessionOnA("cart", "empty");
        String hold = holdName("old", commit);
        commitWhileHeld(hold, a.probe("get:false", "set:cart:string:full", commit, "hold:" + hold), status);
    }

    /** A name for the probe's {@code hold:NAME} op: unique per container and case, and without ':'. */
    private String holdName(String session, String commit) {
        return (kind() + "-" + session + "-" + commit).replaceAll("[^A-Za-z0-9-]", "_");
    }

    /**
     * Sends {@code url}, whose servlet commits the response and then ends in {@code hold:NAME}, and so stays
     * inside the filter chain. As soon as the servlet blocks there (the response is committed, whether or
     * not the container has sent its head yet: Tomcat sends a redirect's only when the servlet returns),
     * asks the other node for the session the servlet holds: before the servlet, and so the filter's code
     * after {@code chain.doFilter}, can go on, the session must already be saved with attribute cart=full.
     */
    private Browser.Response commitWhileHeld(String hold, String url, int status) throws Exception {
        ProbeServlet.arm(hold);
        Browser.Response seen;
        ProbeServlet.Holding holding;
        CompletableFuture<HttpResponse<InputStream>> first;
        try {
            first = browser.getStreaming(url);
            holding = ProbeServlet.awaitHolding(hold, 10_000);
            assertNotNull(holding.sessionId(), "the held request has a session");
            seen = Browser.rawWithCookie(b.port(), b.probePath("get:false", "attr:cart"),
                    "JSESSIONID=" + holding.sessionId());
        } finally {
            ProbeServlet.release(hold);
        }
        Browser.Response firstResponse = Browser.finish(first.get(10, TimeUnit.SECONDS));
        assertEquals(status, firstResponse.status(), firstResponse::toString);
        assertTrue(holding.committed(), "the response was committed before the servlet blocked");
        if (firstResponse.p("committed") != null) { // flush, overflow: the probe's answer follows the body
            assertEquals("true", firstResponse.p("held"), () -> "the servlet was held: " + firstResponse);
        }
        assertEquals("full", seen.p("attr.cart"), seen::toString);
        return firstResponse;
    }

    // ------------------------------------------------------------------------------------ failures

    /**
     * A memcached that accepts connections and never answers: a request that creates a session and writes
     * a 40 KB page line by line asks it once (one bounded wait, docs/storage.md), not once per write.
     */
    @Test
    void blackHoledMemcached_costsARequestOneBoundedWait_notOnePerWrite() throws Exception {
        try (BlackHoleMemcached hole = BlackHoleMemcached.start()) {
            ContainerNode dead = kind().builder("H").contextPath("/app").servers(hole.address())
                    .initParam("opTimeoutMillis", "200").start();
            try {
                new Browser().get(dead.probe("get:true", "set:x:string:warm", "lines:40000")); // warms the JVM paths
                int before = hole.commandsReceived();
                long started = System.nanoTime();
                // two commit points (the flush, the end of the request), a change after the first, then 40 KB
                Browser.Response r = new Browser().get(dead.probe("get:true", "set:x:string:1", "streamFlush",
                        "set:y:string:2", "bigbody:40000"));
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                int asked = hole.commandsReceived() - before;
                assertEquals(200, r.status(), r::toString);
                assertTrue(r.body().length() >= 40_000, "the whole page arrived: " + r.body().length() + " characters");
                assertEquals(2, asked, "one store call (the new session's add, its access record sent beside it"
                        + " without a reply awaited), then none for the rest of the request");
                assertTrue(millis < 3_000, "one 200 ms wait, not one per write: took " + millis + " ms");
            } finally {
                dead.stop();
            }
        }
    }

    /**
     * A session whose encoded form grows over the client's 1 MiB item limit by an in-place change, which
     * setAttribute cannot see: its save is dropped (the redirect still goes out), and the copy stored before
     * stays readable on the other node.
     */
    @Test
    void sessionLargerThanTheItemLimit_isADroppedSave_thatKeepsTheStoredCopy() {
        sessionOnA("keep", "small");
        Browser.Response r = browser.get(a.probe("get:false", "set:big:list:S:x", "grow:big:1100000",
                "set:keep:string:lost", "redirect:/app/next"));
        assertEquals(302, r.status(), r::toString);
        Browser.Response after = on(b, "get:false", "attr:keep", "attr:big");
        assertEquals("small", after.p("attr.keep"), after::toString);
        assertEquals("null", after.p("attr.big"), after::toString);
    }

    /** Each webapp's counters are in the platform MBeanServer while it runs, and gone after it stops. */
    @Test
    void sessionMetrics_arePublishedInJmx_andMoveWithRequests_untilTheWebappStops() throws Exception {
        javax.management.MBeanServer jmx = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        javax.management.ObjectName name = new javax.management.ObjectName(
                "io.memsession:type=SessionMetrics,context=\"/jmx-" + kind().name().toLowerCase(Locale.ROOT) + "\"");
        ContainerNode node = webapp("J", "/jmx-" + kind().name().toLowerCase(Locale.ROOT)).start();
        try {
            assertEquals(0L, jmx.getAttribute(name, "Saves"));
            Browser jmxBrowser = new Browser();
            jmxBrowser.get(node.probe("get:true", "set:x:string:1"));
            jmxBrowser.get(node.probe("get:false", "attr:x"));
            assertEquals(1L, jmx.getAttribute(name, "Saves"), "the new session's add");
            assertEquals(1L, jmx.getAttribute(name, "Loads"), "the second request's load");
            assertEquals(1L, jmx.getAttribute(name, "Touches"), "the unchanged session's access");
            assertEquals(0L, jmx.getAttribute(name, "StoreFailures"));
        } finally {
            node.stop();
        }
        assertFalse(jmx.isRegistered(name), "unregistered when the webapp stops");
    }

    /**
     * maxSessionBytes: a save over the configured size, grown by an in-place change, is dropped the same way,
     * the stored copy kept.
     */
    @Test
    void sessionLargerThanMaxSessionBytes_isADroppedSave_thatKeepsTheStoredCopy() throws Exception {
        ContainerNode small = webapp("S", "/app").initParam("maxSessionBytes", "4096").start();
        try {
            sessionOnA("keep", "small");
            Browser.Response fits = browser.get(small.probe("get:false", "set:fits:bigstring:3000"));
            assertEquals(200, fits.status(), fits::toString);
            Browser.Response r = browser.get(small.probe("get:false", "set:big:list:S:x", "grow:big:5000",
                    "set:keep:string:lost", "redirect:/app/next"));
            assertEquals(302, r.status(), r::toString);
            Browser.Response after = on(b, "get:false", "attr:keep", "attr:big", "names");
            assertEquals("small", after.p("attr.keep"), after::toString);
            assertEquals("null", after.p("attr.big"), after::toString);
            assertEquals("fits,keep", String.join(",", new java.util.TreeSet<>(List.of(after.p("names").split(",")))));
        } finally {
            small.stop();
        }
    }

    /**
     * setAttribute of a value that would take the session over maxSessionBytes throws IllegalStateException
     * in the servlet: the attribute is not set, the request's other changes are saved, and the session
     * stays readable on the other node.
     */
    @Test
    void setAttributeOverMaxSessionBytes_throwsInTheServlet_andTheSessionStaysAsItWas() throws Exception {
        ContainerNode small = webapp("S", "/app").initParam("maxSessionBytes", "4096").start();
        try {
            sessionOnA("keep", "small");
            on(small, "get:false", "set:fits:bigstring:3000");
            Browser.Response r = onAllowingErrors(small, "get:false", "set:big:bigstring:2000",
                    "set:keep:string:changed", "names");
            assertTrue(String.valueOf(r.p("error.set")).startsWith("java.lang.IllegalStateException"), r::toString);
            assertEquals("fits,keep", r.p("names"), "the attribute is not set: " + r);
            Browser.Response after = on(b, "get:false", "attr:keep", "attr:big", "names");
            assertEquals("changed", after.p("attr.keep"), "the request's other change is saved: " + after);
            assertEquals("fits,keep", after.p("names"), after::toString);
        } finally {
            small.stop();
        }
    }

    /**
     * compressAboveBytes: a large compressible session is stored compressed, smaller than maxSessionBytes
     * although its JSON is five times larger, and a node that does not compress reads it.
     */
    @Test
    void largeCompressibleSession_isStoredCompressed_andReadByANodeThatDoesNotCompress() throws Exception {
        ContainerNode zipping = webapp("Z", "/app").initParam("compressAboveBytes", "1024")
                .initParam("maxSessionBytes", "4096").start();
        try {
            String id = sessionOnA("keep", "small");
            on(zipping, "get:false", "set:big:bigstring:20000");
            byte[] stored = memcached.rawItem(key(a, id)).data();
            assertTrue(stored.length < 1024, "stored compressed: " + stored.length + " bytes");
            assertEquals("MSz1", new String(stored, 0, 4, StandardCharsets.US_ASCII), "the compressed form's marker");
            Browser.Response after = on(b, "get:false", "attr:keep", "attr:big");
            assertEquals("small", after.p("attr.keep"), after::toString);
            assertEquals("x".repeat(20000), after.p("attr.big"), "node B, which does not compress, reads it");
            on(b, "get:false", "set:keep:string:plain");
            assertEquals('{', (char) memcached.rawItem(key(a, id)).data()[0], "B writes it back uncompressed");
            assertEquals("plain", on(zipping, "get:false", "attr:keep").p("attr.keep"));
        } finally {
            zipping.stop();
        }
    }

    /** Undeploy: the filter's destroy ends the memcached client's threads before it returns. */
    @Test
    void filterDestroy_endsTheMemcachedClientThreads() throws Exception {
        Set<Thread> before = clientThreads();
        ContainerNode node = webapp("D", "/app").start();
        on(node, "get:true", "set:x:string:1");
        Set<Thread> started = clientThreads();
        started.removeAll(before);
        assertFalse(started.isEmpty(), "the node started a memcached client");
        node.stop();
        List<String> left = started.stream().filter(Thread::isAlive).map(Thread::getName).toList();
        assertTrue(left.isEmpty(), "threads left running after destroy: " + left);
    }

    private static Set<Thread> clientThreads() {
        Set<Thread> threads = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("Xmemcached")) {
                threads.add(t);
            }
        }
        return threads;
    }

    @Test
    void unchangedSession_isNotRewritten_onlyItsSmallAccessRecordIs() {
        String id = sessionOnA("name", "alice");
        on(a, "get:false", "set:items:list:L:1,S:two", "set:cart:cart:bob,1,2.50");
        on(b, "get:false", "attr:name"); // the first use after a change may renew the access record
        long documentVersion = memcached.rawItem(key(a, id)).cas();
        Map<String, Long> before = memcached.stats();
        on(a, "get:false", "attr:name", "attr:items", "attr:cart", "names", "maxInactive", "isNew");
        on(b, "get:false", "set:name:string:alice", "setMaxInactive:" + WEBAPP_TIMEOUT_MINUTES * 60);
        Map<String, Long> after = memcached.stats();
        assertAll(
            () -> assertEquals(documentVersion, memcached.rawItem(key(a, id)).cas(), "the document is untouched"),
            () -> assertEquals(2, delta(before, after, "cmd_set"), "one access-record write per request"),
            () -> assertEquals(0, delta(before, after, "cas_hits") + delta(before, after, "cas_misses")
                    + delta(before, after, "cas_badval"), "no cas"),
            () -> assertEquals(4, delta(before, after, "cmd_get"),
                    "one load per request: document and access record in one multi-get"));
    }

    @Test
    void changedSession_isWrittenOncePerRequest() {
        sessionOnA("x", "1");
        on(b, "get:false", "set:warm:string:up"); // the first change after creation also renews the access record
        Map<String, Long> before = memcached.stats();
        on(b, "get:false", "set:x:string:2", "set:y:long:3", "remove:x", "set:x:string:4");
        Map<String, Long> after = memcached.stats();
        assertEquals(1, delta(before, after, "cmd_set"), "one write for all the request's changes");
        assertEquals(1, delta(before, after, "cas_hits"), "and it is a compare-and-set");
        Browser.Response r = on(a, "get:false", "attr:x", "attr:y");
        assertEquals("4", r.p("attr.x"));
        assertEquals("3", r.p("attr.y"));
    }

    @Test
    void getSessionTrue_afterTheResponseIsCommitted_throwsIllegalStateException() {
        Browser.Response r = onAllowingErrors(a, "bigbody:40000", "committed", "get:true");
        assertEquals("true", r.p("committed"), r::toString);
        String error = r.p("error.get");
        assertNotNull(error, r::toString);
        assertTrue(error.startsWith("java.lang.IllegalStateException"), error);
        assertEquals(List.of(), r.setCookies("JSESSIONID"));
        assertEquals(0, a.containerSessionsCreated());
    }

    // ------------------------------------------------------------------------------------ session semantics

    @Test
    void isNew_isTrueOnTheCreatingRequest_andFalseOnTheNextRequestOnTheOtherNode() {
        assertEquals("true", on(a, "get:true", "isNew").p("isNew"));
        assertEquals("false", on(b, "get:false", "isNew").p("isNew"));
        assertEquals("false", on(a, "get:true", "isNew").p("isNew"));
    }

    @Test
    void creationTime_isStableAcrossNodes_andLastAccessedTimeIsNotBeforeIt() {
        long start = System.currentTimeMillis();
        Browser.Response created = on(a, "get:true", "creationTime", "set:x:string:1");
        long creation = Long.parseLong(created.p("creationTime"));
        long end = System.currentTimeMillis();
        assertTrue(creation >= start - 1000 && creation <= end + 1000, "creationTime is the wall clock: " + creation);
        Browser.Response onB = on(b, "get:false", "creationTime", "lastAccessedTime");
        assertEquals(creation, Long.parseLong(onB.p("creationTime")));
        long accessed = Long.parseLong(onB.p("lastAccessedTime"));
        assertTrue(accessed >= creation && accessed <= System.currentTimeMillis() + 1000, onB::toString);
        assertEquals(creation, Long.parseLong(on(a, "get:false", "creationTime").p("creationTime")));
    }

    @Test
    void maxInactiveInterval_setOnA_roundTripsToB() {
        on(a, "get:true", "setMaxInactive:1234");
        assertEquals("1234", on(b, "get:false", "maxInactive").p("maxInactive"));
        on(b, "get:false", "setMaxInactive:4321");
        assertEquals("4321", on(a, "get:false", "maxInactive").p("maxInactive"));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1})
    void maxInactiveIntervalZeroOrLess_meansNeverExpires_andRoundTrips(int interval) {
        String id = on(a, "get:true", "set:x:string:1", "setMaxInactive:" + interval).p("id");
        Browser.Response r = on(b, "get:false", "maxInactive", "attr:x");
        assertEquals(Integer.toString(interval), r.p("maxInactive"), r::toString);
        assertEquals("1", r.p("attr.x"));
        assertNotNull(memcached.rawGet(key(a, id)));
    }

    @Test
    void maxInactiveIntervalOverThirtyDays_keepsTheSessionAlive() {
        int fortyDays = 40 * 24 * 60 * 60;
        String id = on(a, "get:true", "set:x:string:1", "setMaxInactive:" + fortyDays).p("id");
        assertNotNull(memcached.rawGet(key(a, id)), "memcached must not read 40 days as a time in 1970");
        Browser.Response r = on(b, "get:false", "maxInactive", "attr:x");
        assertEquals("present", r.p("session"), r::toString);
        assertEquals(Integer.toString(fortyDays), r.p("maxInactive"));
        assertEquals("1", r.p("attr.x"));
        on(a, "get:false", "set:x:string:2"); // a rewrite with the long interval
        assertEquals("2", on(b, "get:false", "attr:x").p("attr.x"));
    }

    @Test
    void sessionIdlePastItsInterval_isGoneForTheNextRequest() {
        int interval = 2;
        String id = on(a, "get:true", "set:x:string:1", "setMaxInactive:" + interval).p("id");
        Browser.Response fresh = on(b, "get:false", "attr:x", "maxInactive");
        assertEquals("1", fresh.p("attr.x"), "still alive right away");
        long idleSince = System.nanoTime();
        // Nothing may touch the session while it idles: watch memcached directly (a plain get does not
        // extend an item), or let the interval plus a margin for memcached's 1 s clock pass.
        ItSupport.pollUntil(Duration.ofSeconds(15), "session idle past its interval",
                () -> memcached.rawGet(key(a, id)) == null
                        || System.nanoTime() - idleSince > Duration.ofMillis(interval * 1000L + 1500).toNanos());
        Browser.Response later = on(a, "get:false", "requested");
        assertEquals("null", later.p("session"), later::toString);
        assertEquals("false", later.p("requestedValid"));
    }

    @Test
    void attributes_setGetRemoveAndNames_workAcrossNodes() {
        on(a, "get:true", "set:a:string:1", "set:b:string:2", "set:c:string:3");
        Browser.Response onB = on(b, "get:false", "names", "attr:b", "remove:b");
        assertEquals("a,b,c", onB.p("names"));
        assertEquals("2", onB.p("attr.b"));
        Browser.Response onA = on(a, "get:false", "names", "attr:b", "set:a:string:one");
        assertEquals("a,c", onA.p("names"));
        assertEquals("null", onA.p("attr.b"));
        assertEquals("one", on(b, "get:false", "attr:a").p("attr.a"));
    }

    @Test
    void setAttributeToNull_removesTheAttribute_onTheOtherNodeToo() {
        on(a, "get:true", "set:a:string:1", "set:b:string:2");
        Browser.Response r = on(b, "get:false", "set:a:null", "names");
        assertEquals("b", r.p("names"), "gone at once in the same request");
        Browser.Response onA = on(a, "get:false", "names", "attr:a");
        assertEquals("b", onA.p("names"));
        assertEquals("null", onA.p("attr.a"));
    }

    @Test
    void invalidate_removesTheSessionForEveryNode_andLaterCallsThrowIllegalStateException() {
        String id = sessionOnA("x", "1");
        Browser.Response r = on(b, "get:false", "invalidate", "afterInvalidate", "id");
        assertAll(r.toString(),
            () -> assertEquals("ok", r.p("inv.getId"), "getId still answers"),
            () -> assertEquals(id, r.p("id")),
            () -> assertEquals("ISE", r.p("inv.getAttribute")),
            () -> assertEquals("ISE", r.p("inv.getAttributeNames")),
            () -> assertEquals("ISE", r.p("inv.setAttribute")),
            () -> assertEquals("ISE", r.p("inv.removeAttribute")),
            () -> assertEquals("ISE", r.p("inv.getCreationTime")),
            () -> assertEquals("ISE", r.p("inv.getLastAccessedTime")),
            () -> assertEquals("ISE", r.p("inv.isNew")),
            () -> assertEquals("ISE", r.p("inv.invalidate")),
            () -> assertEquals("null", r.p("inv.getSessionFalse"), "no session after invalidate"));
        assertNull(memcached.rawGet(key(a, id)), "deleted from memcached");
        Browser.Response onA = on(a, "get:false", "requested");
        assertEquals("null", onA.p("session"), onA::toString);
        assertEquals("false", onA.p("requestedValid"));
    }

    @Test
    void invalidate_thenSendRedirect_likeALogout_redirectsAndEndsTheSessionEverywhere() {
        String id = sessionOnA("user", "alice");
        Browser.Response r = browser.get(b.probe("get:false", "invalidate", "redirect:/app/login"));
        assertEquals(302, r.status(), r::toString);
        assertTrue(r.header("location").get(0).endsWith("/app/login"), r::toString);
        assertNull(memcached.rawGet(key(a, id)));
        assertEquals("null", on(a, "get:false").p("session"));
    }

    @Test
    void invalidate_thenGetSessionTrue_inTheSameRequest_startsANewSession() {
        String old = sessionOnA("x", "1");
        Browser.Response r = on(b, "get:false", "invalidate", "get:true", "isNew", "names", "set:y:string:2");
        String fresh = r.p("id");
        assertNotEquals(old, fresh);
        assertEquals("true", r.p("isNew"));
        assertEquals("", r.p("names"));
        assertEquals(1, r.setCookies("JSESSIONID").size(), r::toString);
        Browser.Response onA = on(a, "get:false", "names", "attr:y");
        assertEquals(fresh, onA.p("id"));
        assertEquals("y", onA.p("names"));
    }

    @Test
    void changeSessionId_givesANewId_keepsAttributes_killsTheOldId_andSendsTheNewCookie() {
        String old = sessionOnA("x", "kept");
        Browser.Response r = on(b, "get:false", "changeId", "id", "set:y:string:added");
        String fresh = r.p("changeId.new");
        assertNotEquals(old, fresh);
        assertTrue(ID_SHAPE.matcher(fresh).matches());
        assertEquals(old, r.p("changeId.old"));
        assertEquals(fresh, r.p("changeId.sessionId"));
        assertEquals(fresh, r.p("id"));
        List<String> sc = r.setCookies("JSESSIONID");
        assertEquals(1, sc.size(), r::toString);
        assertTrue(sc.get(0).startsWith("JSESSIONID=" + fresh + ";"), sc::toString);

        Browser.Response onA = on(a, "get:false", "attr:x", "attr:y", "isNew");
        assertEquals(fresh, onA.p("id"));
        assertEquals("kept", onA.p("attr.x"));
        assertEquals("added", onA.p("attr.y"));
        assertEquals("false", onA.p("isNew"));

        Browser.Response withOld = Browser.rawWithCookie(a.port(), a.probePath("get:false", "requested"),
                "JSESSIONID=" + old);
        assertEquals("null", withOld.p("session"), withOld::toString);
        assertEquals("false", withOld.p("requestedValid"));
        assertNull(memcached.rawGet(key(a, old)), "old id deleted from memcached");
    }

    @Test
    void changeSessionId_withoutASession_throwsIllegalStateException() {
        Browser.Response r = onAllowingErrors(b, "changeId");
        String error = r.p("error.changeId");
        assertNotNull(error, r::toString);
        assertTrue(error.startsWith("java.lang.IllegalStateException"), error);
        assertEquals(List.of(), r.setCookies("JSESSIONID"));
    }

    @Test
    void sessionGetServletContext_isTheWebappsContext() {
        on(a, "get:true");
        Browser.Response r = on(b, "get:false", "context");
        assertEquals("true", r.p("sameContext"), r::toString);
        assertEquals("/app", r.p("sessionContextPath"));
    }

    @Test
    void requestedSessionIdMethods_answerTruthfully() {
        Browser.Response none = on(a, "requested");
        assertAll(none.toString(),
            () -> assertEquals("null", none.p("requestedId")),
            () -> assertEquals("false", none.p("requestedValid")),
            () -> assertEquals("false", none.p("fromCookie")),
            () -> assertEquals("false", none.p("fromURL")));

        String id = sessionOnA("x", "1");
        Browser.Response valid = on(b, "requested");
        assertAll(valid.toString(),
            () -> assertEquals(id, valid.p("requestedId")),
            () -> assertEquals("true", valid.p("requestedValid")),
            () -> assertEquals("true", valid.p("fromCookie")),
            () -> assertEquals("false", valid.p("fromURL")));

        assertTrue(memcached.rawDelete(key(a, id)), "the session ends (expired or invalidated elsewhere)");
        Browser.Response gone = on(b, "requested");
        assertAll(gone.toString(),
            () -> assertEquals(id, gone.p("requestedId")),
            () -> assertEquals("false", gone.p("requestedValid")),
            () -> assertEquals("true", gone.p("fromCookie")));
    }

    // ------------------------------------------------------------------------------------ types

    static Stream<Arguments> typedValues() {
        return Stream.of(
            Arguments.of("long", "42", "42", "java.lang.Long", null),
            Arguments.of("int", "42", "42", "java.lang.Integer", null),
            Arguments.of("bool", "true", "true", "java.lang.Boolean", null),
            Arguments.of("double", "0.1", "0.1", "java.lang.Double", null),
            Arguments.of("bigdecimal", "1.50", "1.50", "java.math.BigDecimal", null),
            Arguments.of("localdate", "2024-02-29", "2024-02-29", "java.time.LocalDate", null),
            Arguments.of("instant", "2024-01-02T03:04:05.123456789Z", "2024-01-02T03:04:05.123456789Z",
                    "java.time.Instant", null),
            Arguments.of("enum", "PISTACHIO", "PISTACHIO", "io.memsession.it.Flavor", null),
            Arguments.of("jdkenum", "FRIDAY", "FRIDAY", "java.time.DayOfWeek", null),
            Arguments.of("strings", "a,b,c", "[a, b, c]", "[Ljava.lang.String;",
                    "java.lang.String,java.lang.String,java.lang.String"),
            Arguments.of("list", "L:1,S:two,I:3,D:4.0", "[1, two, 3, 4.0]", null,
                    "java.lang.Long,java.lang.String,java.lang.Integer,java.math.BigDecimal"),
            Arguments.of("set", "S:a,L:2", "[a, 2]", null, "java.lang.String,java.lang.Long"),
            Arguments.of("map", "k=L:1,n=D:2.50", "{k=1, n=2.50}", null, "k=java.lang.Long,n=java.math.BigDecimal"),
            Arguments.of("cart", "alice,3,9.90", "Cart[alice,3,9.90]", "io.memsession.it.Cart", null),
            Arguments.of("item", "sku-1,5", "LineItem[sku-1,5]", "io.memsession.it.model.LineItem", null));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("typedValues")
    void attributeValue_keepsItsExactTypeAcrossNodes(String type, String input, String expected, String expectedClass,
            String expectedElements) {
        on(a, "get:true", "set:v:" + type + ":" + input);
        Browser.Response r = on(b, "get:false", "attr:v");
        assertEquals(expected, r.p("attr.v"), r::toString);
        if (expectedClass != null) {
            assertEquals(expectedClass, r.p("attr.v.class"), r::toString);
        }
        if (expectedElements != null) {
            assertEquals(expectedElements, r.p("attr.v.elements"), r::toString);
        }
        switch (type) {
            case "list" -> assertEquals("List", r.p("attr.v.kind"));
            case "set" -> assertEquals("Set", r.p("attr.v.kind"));
            case "map" -> assertEquals("Map", r.p("attr.v.kind"));
            default -> { }
        }
        // and back again: read on B, rewritten unchanged on A
        assertEquals(expected, on(a, "get:false", "attr:v").p("attr.v"));
    }

    @Test
    void classNotAllowed_setAttributeThrowsIllegalArgumentException_namingTheClassAndAllowedClasses() {
        Browser.Response r = onAllowingErrors(a, "get:true", "set:ok:string:yes", "set:bad:contraband:boom");
        String error = r.p("error.set");
        assertNotNull(error, r::toString);
        assertTrue(error.startsWith("java.lang.IllegalArgumentException"), error);
        assertTrue(error.contains("io.memsession.it.Contraband"), error);
        assertTrue(error.contains("allowedClasses"), error);
        Browser.Response onB = on(b, "get:false", "names");
        assertEquals("ok", onB.p("names"), "the refused value was not stored, the rest was");
    }

    // ------------------------------------------------------------------------------------ unreadable data

    static Stream<Arguments> unreadableDocuments() {
        return Stream.of(
            Arguments.of("garbage", "\u0000\u00ff not json at all {{{"),
            Arguments.of("truncated", "{\"v\":1,\"id\":\"%ID%\",\"created\":1"),
            Arguments.of("futureVersion", "{\"v\":99,\"id\":\"%ID%\",\"created\":1700000000000,\"accessed\":1700000000000,"
                    + "\"maxInactive\":1800,\"attrs\":{}}"),
            Arguments.of("otherId", "{\"v\":1,\"id\":\"someone-else\",\"created\":1700000000000,"
                    + "\"accessed\":1700000000000,\"maxInactive\":1800,\"attrs\":{}}"));
    }

    /** Attributes a node cannot read: each is left out, the session and its other attributes stay. */
    static Stream<Arguments> unreadableAttributes() {
        return Stream.of(
            Arguments.of("removedClass", "[\"ser\",\"io.memsession.it.model.RemovedSinceLastRelease\",\"rO0ABXNyAA==\"]"),
            Arguments.of("removedEnum", "[\"enum\",\"io.memsession.it.model.GoneEnum\",\"A\"]"),
            Arguments.of("hugeBigInteger", "[\"bigint\",\"" + "9".repeat(200_000) + "\"]"),
            Arguments.of("unknownTag", "[\"no-such-tag\",1]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unreadableAttributes")
    void unreadableAttribute_isLeftOut_theSessionAndItsOtherAttributesStay(String kind, String value) {
        String id = sessionOnA("keep", "me");
        String k = key(a, id);
        MemcachedProcess.Item stored = memcached.rawItem(k);
        String document = "{\"v\":1,\"id\":\"" + id + "\",\"created\":1700000000000,\"accessed\":"
                + System.currentTimeMillis() + ",\"maxInactive\":1800,\"attrs\":{\"keep\":\"me\",\"x\":" + value + "}}";
        memcached.rawSet(k, stored.flags(), document.getBytes(StandardCharsets.UTF_8), 600);

        Browser.Response r = on(b, "get:false", "attr:keep", "names");
        assertEquals("present", r.p("session"), r::toString);
        assertEquals(id, r.p("id"));
        assertEquals("me", r.p("attr.keep"));
        assertEquals("keep", r.p("names"), "the unreadable attribute is left out");
        on(a, "get:false", "set:later:string:saved");
        assertEquals("saved", on(b, "get:false", "attr:later").p("attr.later"), "the session is still saved");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unreadableDocuments")
    void unreadableStoredSession_isNoSession_notA500_andTheNextRequestsWork(String kind, String document) {
        String id = sessionOnA("x", "1");
        String k = key(a, id);
        MemcachedProcess.Item stored = memcached.rawItem(k);
        assertNotNull(stored);
        memcached.rawSet(k, stored.flags(), document.replace("%ID%", id).getBytes(StandardCharsets.UTF_8), 600);

        Browser.Response first = on(b, "get:false", "requested");
        assertEquals("null", first.p("session"), first::toString);
        assertEquals("false", first.p("requestedValid"));

        Browser.Response second = on(a, "get:false", "get:true", "set:y:string:new", "isNew");
        String fresh = second.p("id");
        assertNotEquals(id, fresh, second::toString);
        assertEquals("true", second.p("isNew"));
        assertEquals(1, second.setCookies("JSESSIONID").size(), second::toString);

        Browser.Response third = on(b, "get:false", "attr:y", "names");
        assertEquals(fresh, third.p("id"), third::toString);
        assertEquals("new", third.p("attr.y"));
        assertEquals("y", third.p("names"));
    }
}
