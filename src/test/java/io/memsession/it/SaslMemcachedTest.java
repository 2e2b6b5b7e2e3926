package io.memsession.it;

import static io.memsession.it.ConcurrencyNodes.background;
import static io.memsession.it.ConcurrencyNodes.createSession;
import static io.memsession.it.ConcurrencyNodes.join;
import static io.memsession.it.ConcurrencyNodes.ok;
import static io.memsession.it.ConcurrencyNodes.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * memcached started with SASL ({@code memcached -S}, which speaks only the binary protocol): with
 * {@code saslUser} and {@code saslPassword} two Jetty nodes share sessions through it, with every
 * memcached command memsession sends (gets of several keys, add, cas, replace, set, touch, delete and their
 * {@code noreply} forms, the lock's conditional delete); with a wrong password the webapp still starts and
 * requests are served as in a memcached outage.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SaslMemcachedTest {

    private static final String USER = "memsession";
    private static final String PASSWORD = "pw-" + Long.toHexString(System.nanoTime());

    private MemcachedProcess memcached;

    @BeforeAll
    void startMemcached() {
        memcached = MemcachedProcess.startWithSasl(USER, PASSWORD);
    }

    @AfterAll
    void stopMemcached() {
        if (memcached != null) {
            memcached.close();
        }
    }

    private ContainerNode node(String name, String password, String accessWrites) throws Exception {
        return ContainerNode.Kind.JETTY.builder(name).contextPath("/app").servers(memcached.address())
                .initParam("saslUser", USER).initParam("saslPassword", password)
                .initParam("accessWrites", accessWrites).initParam("opTimeoutMillis", "2000").start();
    }

    /** Create on A, read and change on B, a read-only request's access time seen by the other node, invalidate. */
    @ParameterizedTest
    @ValueSource(strings = {"wait", "noreply"})
    void twoNodesShareSessions(String accessWrites) throws Exception {
        ContainerNode a = node("A", PASSWORD, accessWrites);
        try {
            ContainerNode b = node("B", PASSWORD, accessWrites);
            try {
                Browser browser = new Browser();
                Browser.Response created = get(browser, a, "get:true", "isNew", "set:who:string:alice");
                String id = created.p("id");
                assertEquals("true", created.p("isNew"), created::toString);

                Browser.Response onB = get(browser, b, "get:false", "attr:who", "set:who:string:bob");
                assertEquals(id, onB.p("id"), onB::toString);
                assertEquals("alice", onB.p("attr.who"), onB::toString);
                assertEquals("bob", get(browser, a, "get:false", "attr:who").p("attr.who"));

                // a request that changes nothing writes only the access time, which the next request must see
                // (with noreply on the same node: another node may see it a moment later)
                long earlierStart = Long.parseLong(get(browser, b, "start", "get:false").p("start"));
                ItSupport.pollUntil(Duration.ofSeconds(1), "the clock past " + earlierStart,
                        () -> System.currentTimeMillis() > earlierStart);
                get(browser, a, "get:false", "attr:who");
                ContainerNode reader = accessWrites.equals("wait") ? b : a;
                long seen = Long.parseLong(get(browser, reader, "get:false", "lastAccessedTime").p("lastAccessedTime"));
                assertTrue(seen > earlierStart, "the read-only request's access time, " + seen + ", is after "
                        + earlierStart);

                get(browser, b, "get:false", "invalidate");
                assertEquals("null", get(browser, a, "get:false").p("session"), "invalidated on B, gone on A");
            } finally {
                b.stop();
            }
        } finally {
            a.stop();
        }
    }

    /** concurrency=lock: a request on B waits for A's lock (503 past lockTimeoutMillis), then gets it once released. */
    @Test
    void lockIsTakenAndReleased() throws Exception {
        try (ConcurrencyNodes nodes = ConcurrencyNodes.start(memcached, Map.of("concurrency", "lock",
                "lockTimeoutMillis", "300", "lockTimeoutAction", "fail", "saslUser", USER, "saslPassword", PASSWORD))) {
            Browser browser = new Browser();
            createSession(browser, nodes.a, "set:base:0");
            ConcurrencyServlet.armHold("holder");
            CompletableFuture<Browser.Response> holder = background(() -> browser.get(url(nodes.a, "session",
                    "reach:locked", "set:held:1", "hold:holder")));
            ItSupport.pollUntil(Duration.ofSeconds(10), "holder inside the servlet",
                    () -> ConcurrencyServlet.reached("locked") == 1);

            Browser.Response busy = browser.get(url(nodes.b, "session", "set:other:1"));
            assertEquals(503, busy.status(), () -> "B while A holds the lock: " + busy);

            ConcurrencyServlet.release("holder");
            assertEquals(200, join(holder).status());
            long start = System.nanoTime();
            Browser.Response after = ok(browser, nodes.b, "session", "read:held", "set:other:2");
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 5_000, "B took the released lock");
            assertEquals("1", after.p("attr.held"), after::toString);
            assertEquals("2", ok(browser, nodes.a, "session", "read:other").p("attr.other"));
        }
    }

    /**
     * A wrong password: the webapp starts, and requests are answered as in a memcached outage, each within a
     * bound: a new session is handed out but not stored, so no node finds it later.
     */
    @Test
    void wrongPassword_webappStarts_requestsDegradeAsInAnOutage() throws Exception {
        ContainerNode wrong = node("W", PASSWORD + "-wrong", "wait");
        try {
            ContainerNode right = node("R", PASSWORD, "wait");
            try {
                Browser browser = new Browser();
                long start = System.nanoTime();
                Browser.Response created = browser.get(wrong.probe("get:true", "set:who:string:nobody"));
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertEquals(200, created.status(), created::toString);
                assertTrue(tookMillis < 10_000, "answered after " + tookMillis + " ms");
                Browser.Response elsewhere = browser.get(right.probe("get:false"));
                assertEquals(200, elsewhere.status(), elsewhere::toString);
                assertEquals("null", elsewhere.p("session"), () -> "stored despite the wrong password: " + elsewhere);
            } finally {
                right.stop();
            }
        } finally {
            wrong.stop();
        }
    }

    private static Browser.Response get(Browser browser, ContainerNode node, String... ops) {
        Browser.Response r = browser.get(node.probe(ops));
        assertEquals(200, r.status(), () -> node.name() + " answered " + r);
        assertNull(r.p("error"), () -> "an op failed on " + node.name() + ": " + r);
        return r;
    }
}
