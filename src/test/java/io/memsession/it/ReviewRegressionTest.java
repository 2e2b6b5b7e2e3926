package io.memsession.it;

import static io.memsession.it.ConcurrencyNodes.background;
import static io.memsession.it.ConcurrencyNodes.join;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.DispatcherType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Regression tests for five behaviours fixed after review, each end to end on Jetty nodes and one real
 * memcached. Every test names, in its Javadoc, the behaviour from before the fix and the assertion that
 * behaviour fails.
 *
 * <p>An outage is a memcached process stopped with SIGSTOP ({@link MemcachedProcess#suspend()}): its
 * connections stay open and nothing is answered, so every operation runs into {@code opTimeoutMillis}
 * (200 ms here), as with a hung or overloaded server. It is always resumed (SIGCONT) by try-with-resources.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReviewRegressionTest {

    private static final String CONTEXT = "/app";
    private static final String COOKIE = "JSESSIONID";
    private static final String OP_TIMEOUT_MILLIS = "200";
    private static final Duration RECOVERY_DEADLINE = Duration.ofSeconds(10);

    private MemcachedProcess memcached;
    private final List<ContainerNode> nodes = new ArrayList<>();
    private Browser browser;

    @BeforeAll
    void startMemcached() {
        memcached = MemcachedProcess.start();
    }

    @AfterAll
    void stopMemcached() {
        if (memcached != null) {
            if (memcached.isAlive() && memcached.isSuspended()) {
                memcached.resume();
            }
            memcached.close();
        }
    }

    @BeforeEach
    void newBrowser() {
        browser = new Browser();
    }

    @AfterEach
    void stopNodes() throws Exception {
        AsyncSaveServlet.releaseAfterCompletion();
        ConcurrencyServlet.reset();
        try {
            for (ContainerNode node : nodes) {
                node.stop();
            }
        } finally {
            nodes.clear();
        }
    }

    // ------------------------------------------------------------------------------------ 1. outage

    /**
     * Outage on the node that gets the next request: {@code getSession(true)} is served (200) and the user's
     * cookie is left alone; once memcached answers again, the original session and its attribute are there.
     *
     * <p>Before the fix, a load that timed out was taken for "no such session": {@code getSession(true)}
     * created a new session and sent {@code Set-Cookie: JSESSIONID=<new id>}, which replaced the user's cookie
     * for good (the new session could not even be saved). That fails the {@code Set-Cookie} assertion, and
     * the jar would then carry the new id, failing the check after the outage too.
     */
    @Test
    void outage_getSessionTrueOnTheOtherNode_keepsTheCookie_andTheSessionSurvives() throws Exception {
        ContainerNode a = start(webapp("A").initParam("opTimeoutMillis", OP_TIMEOUT_MILLIS));
        ContainerNode b = start(webapp("B").initParam("opTimeoutMillis", OP_TIMEOUT_MILLIS));
        String id = createSession(a, "cart:string:three-items");
        byte[] document = memcached.rawGet(key(id));
        assertNotNull(document);

        Browser.Response during;
        try (MemcachedProcess.Suspension outage = memcached.suspend()) {
            during = browser.get(b.probe("get:true"));
        }

        assertAll("getSession(true) during the outage: " + during,
            () -> assertEquals(200, during.status()),
            () -> assertEquals("present", during.p("session"), "the application still gets a session to use"),
            () -> assertEquals(List.of(), during.setCookies(COOKIE), "no Set-Cookie: the user's id is kept"),
            () -> assertEquals(id, browser.cookie(COOKIE).orElse(null), "the jar still carries the original id"));
        Browser.Response after = browser.get(b.probe("get:false", "attr:cart"));
        assertAll("first request after memcached answers again: " + after,
            () -> assertEquals(200, after.status()),
            () -> assertEquals(id, after.p("id"), "the original session"),
            () -> assertEquals("three-items", after.p("attr.cart")),
            () -> assertEquals(List.of(), after.setCookies(COOKIE)));
        assertEquals(new String(document, StandardCharsets.UTF_8),
                new String(memcached.rawGet(key(id)), StandardCharsets.UTF_8),
                "nothing was written over the stored session during the outage");
    }

    // ------------------------------------------------------------------------------------ 2. async save

    /**
     * An async request whose attribute is set on another thread before {@code complete()}: by the time the
     * client has the response, the document in memcached carries the attribute and node B serves it.
     *
     * <p>Before the fix, the save of an async request ran only in memsession's {@code AsyncListener.onComplete},
     * which Jetty calls after the response has been written. {@link AsyncSaveServlet} registers its own
     * listener first and holds {@code onComplete} until the test releases it, so with the old code the save
     * cannot have happened yet when the test reads memcached: the raw document lacks the value and B's
     * {@code attr.async} is {@code null}, every run, without relying on timing.
     */
    @Test
    void asyncComplete_savesBeforeTheResponseReachesTheClient() throws Exception {
        ContainerNode a = start(webapp("A").servlet("asyncsave", AsyncSaveServlet.class, true, "/asyncsave"));
        ContainerNode b = start(webapp("B"));
        String id = createSession(a, "x:string:1");
        String value = "saved-before-the-response";

        AsyncSaveServlet.holdAfterCompletion();
        try {
            Browser.Response r = browser.get(a.url("/asyncsave?name=async&value=" + value));
            byte[] document = memcached.rawGet(key(id));
            Browser.Response onB = browser.get(b.probe("get:false", "attr:async", "attr:x"));

            assertAll("async request " + r + "\nthen B: " + onB,
                () -> assertEquals(200, r.status()),
                () -> assertEquals("ok", r.p("async.set")),
                () -> assertNotNull(document),
                () -> assertTrue(new String(document, StandardCharsets.UTF_8).contains(value),
                        "the stored document already has the attribute when the client has the response"),
                () -> assertEquals(200, onB.status()),
                () -> assertEquals(id, onB.p("id")),
                () -> assertEquals(value, onB.p("attr.async"), "B, asked right after, sees the async change"),
                () -> assertEquals("1", onB.p("attr.x")));
            // the hold really was in place: the container reached the held onComplete only after all of this
            ItSupport.pollUntil(RECOVERY_DEADLINE, "the async cycle's onComplete was called",
                    () -> AsyncSaveServlet.heldCompletions() == 1);
        } finally {
            AsyncSaveServlet.releaseAfterCompletion();
        }
        assertEquals(value, browser.get(b.probe("get:false", "attr:async")).p("attr.async"));
    }

    // ------------------------------------------------------------------------------------ 3. lock: fail, retry

    /**
     * {@code concurrency=lock}, {@code lockTimeoutAction=fail}: an application catches the lock timeout
     * exception and calls {@code getSession(true)} again; it gets the same exception, never a new session,
     * and no {@code Set-Cookie}. Once the holder is done, the user's session is intact.
     *
     * <p>Before the fix, the first {@code getSession} marked the request as resolved and threw; the retry found
     * "no session" and created a brand-new one, sending its cookie: {@code second=session} and a
     * {@code Set-Cookie} header fail the assertions (and the jar would lose the user's id).
     */
    @Test
    void lockTimeoutFail_getSessionAgainAfterCatchingTheException_throwsAgain_neverANewSession() throws Exception {
        ContainerNode.Builder lockMode = webapp("A").initParam("concurrency", "lock")
                .initParam("lockTimeoutMillis", "300").initParam("lockTimeoutAction", "fail");
        ContainerNode a = start(withConcurrencyServlet(lockMode));
        ContainerNode b = start(withConcurrencyServlet(webapp("B").initParam("concurrency", "lock")
                .initParam("lockTimeoutMillis", "300").initParam("lockTimeoutAction", "fail"))
                .servlet("retry", LockRetryServlet.class, false, "/retry"));
        String id = ConcurrencyNodes.createSession(browser, a, "set:base:0");
        CompletableFuture<Browser.Response> holder = holdTheLock(a);

        Browser.Response retried;
        try {
            retried = browser.get(b.url("/retry"));
        } finally {
            ConcurrencyServlet.release("holder");
        }

        String timeout = "io.memsession.SessionLockTimeoutException";
        assertAll("the application's retry: " + retried,
            () -> assertEquals(200, retried.status(), "the application caught both and answered itself"),
            () -> assertEquals(timeout, retried.p("first")),
            () -> assertEquals(timeout, retried.p("second"), "the retry is refused as well"),
            () -> assertNull(retried.p("secondId"), "no session handed out"),
            () -> assertEquals(List.of(), retried.setCookies(COOKIE), "no Set-Cookie"),
            () -> assertEquals(id, browser.cookie(COOKIE).orElse(null)));
        assertEquals(200, join(holder).status());
        Browser.Response after = ConcurrencyNodes.ok(browser, b, "session", "dump");
        assertEquals(id, after.p("id"), after::toString);
        assertEquals("base", after.p("names"), after::toString);
    }

    // ------------------------------------------------------------------------------------ 4. lock: outage

    /**
     * {@code concurrency=lock} (with {@code lockTimeoutAction=fail}) while memcached does not answer: a
     * request with a session cookie is served like any other outage (200, a session to use, no new cookie),
     * not refused with 503 as if another request held the lock. After memcached is back the session is found
     * again. {@link ConcurrencyServlet} lets session exceptions reach the filter, as an application that does
     * not catch them would.
     *
     * <p>Before the fix, the lock's {@code add} timing out was logged and then treated as "lock not free
     * within lockTimeoutMillis": {@code getSession} threw the lock timeout exception and the filter answered
     * 503 "session busy" with Retry-After, failing the status assertion.
     *
     * <p>The lock {@code add} that timed out is still in memcached's socket buffer and is executed when the
     * process continues. With the default {@code lockTtlSeconds} (60 s) that orphaned lock would refuse the
     * session for a minute; memsession remembers the unanswered attempt and releases it with the next
     * request, so the first request after the outage is served.
     */
    @Test
    void lockMode_outage_requestWithSessionCookie_isServed_not503() throws Exception {
        ContainerNode a = start(withConcurrencyServlet(webapp("A").initParam("concurrency", "lock")
                .initParam("lockTimeoutAction", "fail").initParam("opTimeoutMillis", OP_TIMEOUT_MILLIS)
                .initParam("lockTimeoutMillis", "1000")));
        String id = ConcurrencyNodes.createSession(browser, a, "set:x:kept");

        Browser.Response during;
        try (MemcachedProcess.Suspension outage = memcached.suspend()) {
            during = browser.get(ConcurrencyNodes.url(a, "create"));
        }

        assertAll("getSession(true) during the outage: " + during,
            () -> assertNotEquals(503, during.status(), "an outage is not a busy session"),
            () -> assertEquals(200, during.status()),
            () -> assertEquals("present", during.p("session")),
            () -> assertEquals(List.of(), during.setCookies(COOKIE), "no Set-Cookie: the user's id is kept"),
            () -> assertEquals(id, browser.cookie(COOKIE).orElse(null)));
        Browser.Response after = browser.get(ConcurrencyNodes.url(a, "session", "read:x"));
        assertEquals(200, after.status(), () -> "the first request after the outage: " + after);
        assertEquals("kept", after.p("attr.x"), after::toString);
        assertEquals(id, after.p("id"), after::toString);
        assertEquals(List.of(), after.setCookies(COOKIE), after::toString);
    }

    // ------------------------------------------------------------------------------------ 5. URL tracking

    /**
     * {@code urlTracking=true}, a request that names its session only by {@code ;jsessionid=}: links into
     * this webapp get the id, links elsewhere never do.
     *
     * <p>Before the fix, {@code encodeURL} added the id to every URL, handing the session to whichever host
     * the link pointed at: {@code https://other.example/x;jsessionid=<id>} fails the first assertion.
     */
    @Test
    void urlTracking_encodeUrl_addsTheIdOnlyToUrlsIntoThisWebapp() throws Exception {
        ContainerNode a = start(webapp("A").initParam("urlTracking", "true"));
        String id = createSession(a, "x:string:1");
        String here = "http://127.0.0.1:" + a.port() + CONTEXT + "/page";

        Browser.Response r = Browser.raw(a.port(), withPathParameter(a.probePath("get:false", "attr:x",
                "encode:https://other.example/x", "encode:/app/page", "encode:" + here,
                "encode://other.example/app/page", "encode:http://other.example" + CONTEXT + "/page",
                "encode:/\\other.example/app/page", "encode:/app/\tpage"),
                ";jsessionid=" + id));

        List<String> encoded = values(r, "encodeURL");
        assertAll(r.toString(),
            () -> assertEquals(200, r.status()),
            () -> assertEquals(id, r.p("id"), "the session was found through the URL"),
            () -> assertEquals("1", r.p("attr.x")),
            () -> assertEquals(7, encoded.size()),
            () -> assertEquals("https://other.example/x", encoded.get(0), "another host: unchanged"),
            () -> assertEquals("/app/page;jsessionid=" + id, encoded.get(1), "a path of this webapp: with the id"),
            () -> assertEquals(here.replace("/page", "/page;jsessionid=" + id), encoded.get(2),
                    "an absolute URL of this host and webapp: with the id"),
            () -> assertEquals("//other.example/app/page", encoded.get(3), "scheme-relative, another host"),
            () -> assertEquals("http://other.example/app/page", encoded.get(4), "same path, another host"),
            () -> assertEquals("/\\other.example/app/page", encoded.get(5), "a backslash: browsers read //host"),
            () -> assertEquals("/app/\tpage", encoded.get(6), "a control character: browsers drop it"));
        assertFalse(r.body().contains("other.example/x;"), r::toString);
    }

    // ------------------------------------------------------------------------------------ helpers

    /** A node of the webapp at {@value #CONTEXT}: the filter mapped for REQUEST, ASYNC and ERROR, as documented. */
    private ContainerNode.Builder webapp(String name) {
        return ContainerNode.Kind.JETTY.builder(name).contextPath(CONTEXT).servers(memcached.address())
                .dispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
    }

    private static ContainerNode.Builder withConcurrencyServlet(ContainerNode.Builder builder) {
        return builder.servlet("concurrency", ConcurrencyServlet.class, false, ConcurrencyServlet.PATH);
    }

    /** Starts a node that is stopped after the current test. */
    private ContainerNode start(ContainerNode.Builder builder) throws Exception {
        ContainerNode node = builder.start();
        nodes.add(node);
        return node;
    }

    /** Creates a session on {@code node} with one attribute ({@code NAME:TYPE:VALUE}); returns its id. */
    private String createSession(ContainerNode node, String attribute) {
        Browser.Response r = browser.get(node.probe("get:true", "set:" + attribute));
        assertEquals(200, r.status(), r::toString);
        assertNull(r.p("error"), r::toString);
        String id = r.p("id");
        assertNotNull(id, r::toString);
        assertEquals(id, browser.cookie(COOKIE).orElse(null), "the cookie carries the session id");
        return id;
    }

    /** A request on {@code node} that holds the session's lock until {@code ConcurrencyServlet.release("holder")}. */
    private CompletableFuture<Browser.Response> holdTheLock(ContainerNode node) {
        ConcurrencyServlet.armHold("holder");
        CompletableFuture<Browser.Response> holder = background(() -> browser.get(ConcurrencyNodes.url(node,
                "session", "reach:locked", "hold:holder")));
        ItSupport.pollUntil(RECOVERY_DEADLINE, "the holder is inside the servlet with the lock",
                () -> ConcurrencyServlet.reached("locked") == 1);
        return holder;
    }

    private static String key(String id) {
        return ItSupport.storedKey("memsession:" + CONTEXT + ":", id);
    }

    private static String withPathParameter(String pathAndQuery, String parameter) {
        int q = pathAndQuery.indexOf('?');
        return q < 0 ? pathAndQuery + parameter : pathAndQuery.substring(0, q) + parameter + pathAndQuery.substring(q);
    }

    /** Every {@code key=} line of a probe answer, in order (the probe's map keeps only the last one). */
    private static List<String> values(Browser.Response r, String key) {
        List<String> out = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            if (line.startsWith(key + "=")) {
                out.add(line.substring(key.length() + 1));
            }
        }
        return out;
    }
}
