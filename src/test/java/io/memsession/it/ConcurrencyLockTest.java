package io.memsession.it;

import static io.memsession.it.ConcurrencyNodes.accessKey;
import static io.memsession.it.ConcurrencyNodes.background;
import static io.memsession.it.ConcurrencyNodes.createSession;
import static io.memsession.it.ConcurrencyNodes.documentKey;
import static io.memsession.it.ConcurrencyNodes.join;
import static io.memsession.it.ConcurrencyNodes.lockKey;
import static io.memsession.it.ConcurrencyNodes.ok;
import static io.memsession.it.ConcurrencyNodes.parallel;
import static io.memsession.it.ConcurrencyNodes.statusUrl;
import static io.memsession.it.ConcurrencyNodes.url;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code concurrency=lock} with two real nodes on one real memcached: one request at a time per session,
 * cluster-wide; a dead holder blocks only until its lock's time-to-live; a request that waited too long is
 * refused (503) or served read-only, and writes nothing either way.
 */
class ConcurrencyLockTest extends AbstractConcurrencyTest {

    private static final String DEAD_OWNER = "dead-node-token";
    private static final Map<String, String> SHORT_WAIT_READONLY = Map.of("concurrency", "lock",
            "lockTimeoutMillis", "300", "lockTimeoutAction", "readonly");

    /** Read, hold 10 ms, write: under the lock no increment is lost and no two ever overlap. */
    @Test
    void parallelReadModifyWritesOnBothNodes_noIncrementLost() throws Exception {
        try (ConcurrencyNodes nodes = ConcurrencyNodes.start(memcached,
                Map.of("concurrency", "lock", "lockTimeoutMillis", "20000", "lockQueueMax", "20"))) {
            Browser browser = new Browser();
            String id = createSession(browser, nodes.a, "set:base:0");
            int n = 20;

            List<Browser.Response> answers = parallel(n, i -> browser.get(url(i % 2 == 0 ? nodes.a : nodes.b,
                    "session", "incr:count:10")));

            for (Browser.Response r : answers) {
                assertEquals(200, r.status(), r::toString);
                assertEquals(id, r.p("id"));
            }
            assertEquals(String.valueOf(n), ok(browser, nodes.b, "session", "read:count").p("attr.count"),
                    "every increment of " + n + " survived");
            assertEquals(1, ConcurrencyServlet.maxOverlap(), "two read-modify-writes of one session overlapped");
            assertNull(memcached.rawGet(lockKey(id)), "the last holder released the lock");
        }
    }

    /**
     * A node died holding the lock (its key written straight into memcached with a foreign token and a
     * 2-second time-to-live): a request on B waits until it expires, then takes the lock and saves.
     */
    @Test
    void lockOfDeadNode_blocksUntilItsTtl_thenTheWaitingRequestSaves() throws Exception {
        try (ConcurrencyNodes nodes = ConcurrencyNodes.start(memcached,
                Map.of("concurrency", "lock", "lockTtlSeconds", "2", "lockTimeoutMillis", "8000"))) {
            Browser browser = new Browser();
            String id = createSession(browser, nodes.a, "set:base:0");
            memcached.rawSet(lockKey(id), 0, DEAD_OWNER.getBytes(StandardCharsets.US_ASCII), 2);
            long start = System.nanoTime();

            Browser.Response r = ok(browser, nodes.b, "session", "set:after:saved");

            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals("present", r.p("session"));
            // memcached counts a 2 s time-to-live in whole seconds: the key dies 1 to 2 s after it was set
            assertTrue(waitedMillis >= 800, "served after " + waitedMillis + " ms, while the dead node's lock lived");
            assertEquals("saved", ok(browser, nodes.a, "session", "read:after").p("attr.after"));
            assertNull(memcached.rawGet(lockKey(id)), "released after the save");
        }
    }

    /** A request that held its lock longer than lockTtlSeconds saves nothing; the next holder's change stays. */
    @Test
    void requestThatOutlivedItsLock_savesNothing() throws Exception {
        try (ConcurrencyNodes nodes = ConcurrencyNodes.start(memcached,
                Map.of("concurrency", "lock", "lockTtlSeconds", "2"))) {
            Browser browser = new Browser();
            String id = createSession(browser, nodes.a, "set:base:0");
            ConcurrencyServlet.armHold("slow");
            CompletableFuture<Browser.Response> slow = background(() -> browser.get(url(nodes.a,
                    "session", "set:late:lost", "reach:locked", "hold:slow")));
            ItSupport.pollUntil(Duration.ofSeconds(10), "slow request inside the servlet",
                    () -> ConcurrencyServlet.reached("locked") == 1);
            assertNotNull(memcached.rawGet(lockKey(id)), "the slow request holds the lock");
            ItSupport.pollUntil(Duration.ofSeconds(5), "the slow request's lock expired",
                    () -> memcached.rawGet(lockKey(id)) == null);

            ok(browser, nodes.b, "session", "set:next:kept");
            ConcurrencyServlet.release("slow");
            Browser.Response late = join(slow);

            assertEquals(200, late.status(), late::toString);
            Browser.Response dump = ok(browser, nodes.b, "session", "dump");
            assertEquals("base,next", dump.p("names"), "the change of the request that outlived its lock was saved");
        }
    }

    /**
     * The same for a change made in place to a value read with getAttribute (no setAttribute): the
     * request that outlived its lock still asks whether it holds it, and saves nothing.
     */
    @Test
    void requestThatOutlivedItsLock_savesNoInPlaceChangeEither() throws Exception {
        try (ConcurrencyNodes nodes = ConcurrencyNodes.start(memcached,
                Map.of("concurrency", "lock", "lockTtlSeconds", "2"))) {
            Browser browser = new Browser();
            String id = createSession(browser, nodes.a, "newlist:items:first");
            ConcurrencyServlet.armHold("slowAppend");
            CompletableFuture<Browser.Response> slow = background(() -> browser.get(url(nodes.a,
                    "session", "append:items:late", "reach:appendLocked", "hold:slowAppend")));
            ItSupport.pollUntil(Duration.ofSeconds(10), "slow request inside the servlet",
                    () -> ConcurrencyServlet.reached("appendLocked") == 1);
            ItSupport.pollUntil(Duration.ofSeconds(5), "the slow request's lock expired",
                    () -> memcached.rawGet(lockKey(id)) == null);

            ok(browser, nodes.b, "session", "set:next:kept");
            ConcurrencyServlet.release("slowAppend");
            Browser.Response late = join(slow);

            assertEquals(200, late.status(), late::toString);
            Browser.Response read = ok(browser, nodes.b, "session", "read:items", "read:next");
            assertEquals("[first]", read.p("attr.items"), "the in-place change of the request that outlived its lock");
            assertEquals("kept", read.p("attr.next"));
        }
    }

    /**
     * lockTimeoutMillis=300 while another request holds the lock: 503 with Retry-After on the other node and on
     * the same node (in-JVM queue), and not one byte written for them; a lockExclude path is served meanwhile.
     */
    @Test
    void lockWaitRunsOut_fail_answers503WithRetryAfter_andWritesNothing() throws Exception {
        try (ConcurrencyNodes nodes = ConcurrencyNodes.start(memcached, Map.of("concurrency", "lock",
                "lockTimeoutMillis", "300", "lockTimeoutAction", "fail", "lockExclude", "/status/*"))) {
            Browser browser = new Browser();
            String id = createSession(browser, nodes.a, "set:base:0");
            ok(browser, nodes.b, "session", "read:base"); // the access record exists from here on
            CompletableFuture<Browser.Response> holder = holdTheLockOnA(browser, nodes);
            MemcachedProcess.Item document = memcached.rawItem(documentKey(id));
            MemcachedProcess.Item access = memcached.rawItem(accessKey(id));
            assertNotNull(document);
            assertNotNull(access);

            for (ContainerNode node : List.of(nodes.b, nodes.a)) {
                long start = System.nanoTime();
                Browser.Response busy = browser.get(url(node, "session", "set:x" + node.name() + ":1", "reach:served"));
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertEquals(503, busy.status(), () -> node.name() + ": " + busy);
                assertEquals(1, busy.header("retry-after").size(), busy::toString);
                assertTrue(Long.parseLong(busy.header("retry-after").get(0)) >= 1, busy::toString);
                assertTrue(tookMillis >= 250, node.name() + " answered after " + tookMillis + " ms, before its wait");
            }
            assertEquals(0, ConcurrencyServlet.reached("served"), "the servlet never ran for a refused request");
            assertItemUnchanged(document, memcached.rawItem(documentKey(id)), "document");
            assertItemUnchanged(access, memcached.rawItem(accessKey(id)), "access record");

            Browser.Response status = browser.get(statusUrl(nodes.b, "session", "read:base"));
            assertEquals(200, status.status(), "a lockExclude path does not wait for the lock: " + status);
            assertEquals("0", status.p("attr.base"));

            ConcurrencyServlet.release("holder");
            assertEquals(200, join(holder).status());
            assertEquals("base", ok(browser, nodes.b, "session", "dump").p("names"));
        }
    }

    /**
     * lockQueueMax=1: while one request holds the lock on node A, one more of the same session may wait
     * there; the others are answered 503 at once instead of taking a request thread for the whole wait.
     */
    @Test
    void requestsBeyondTheQueueCap_areRefusedAtOnce_whileOneWaits() throws Exception {
        try (ConcurrencyNodes nodes = ConcurrencyNodes.start(memcached, Map.of("concurrency", "lock",
                "lockTimeoutMillis", "8000", "lockTimeoutAction", "fail", "lockQueueMax", "1"))) {
            Browser browser = new Browser();
            createSession(browser, nodes.a, "set:base:0");
            CompletableFuture<Browser.Response> holder = holdTheLockOnA(browser, nodes);

            List<Long> refusedAfterMillis = new ArrayList<>();
            List<CompletableFuture<Browser.Response>> waiting = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                long start = System.nanoTime();
                CompletableFuture<Browser.Response> r = background(() -> browser.get(url(nodes.a, "session",
                        "set:queued:yes")));
                try {
                    Browser.Response answer = r.get(3, TimeUnit.SECONDS);
                    assertEquals(503, answer.status(), answer::toString);
                    refusedAfterMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                } catch (java.util.concurrent.TimeoutException stillWaiting) {
                    waiting.add(r);
                }
            }
            assertEquals(1, waiting.size(), "exactly lockQueueMax requests wait behind the holder");
            assertEquals(3, refusedAfterMillis.size(), "the others are refused: " + refusedAfterMillis);

            ConcurrencyServlet.release("holder");
            assertEquals(200, join(holder).status());
            assertEquals(200, join(waiting.get(0)).status(), "the queued request is served once the lock is free");
            assertEquals("yes", ok(browser, nodes.b, "session", "read:queued").p("attr.queued"));
        }
    }

    /**
     * A request whose lock expired while it ran, and was taken by a request on the other node: its release
     * at the end leaves the other request's lock in place (the owner token is checked).
     */
    @Test
    void releaseByARequestWhoseLockExpired_leavesTheNewHoldersLockInPlace() throws Exception {
        try (ConcurrencyNodes nodes = ConcurrencyNodes.start(memcached,
                Map.of("concurrency", "lock", "lockTtlSeconds", "2", "lockTimeoutMillis", "8000"))) {
            Browser browser = new Browser();
            String id = createSession(browser, nodes.a, "set:base:0");
            ConcurrencyServlet.armHold("first");
            CompletableFuture<Browser.Response> first = background(() -> browser.get(url(nodes.a,
                    "session", "reach:firstLocked", "hold:first")));
            ItSupport.pollUntil(Duration.ofSeconds(10), "first request inside the servlet",
                    () -> ConcurrencyServlet.reached("firstLocked") == 1);
            byte[] firstToken = memcached.rawGet(lockKey(id));
            assertNotNull(firstToken, "the first request holds the lock");

            ConcurrencyServlet.armHold("second");
            CompletableFuture<Browser.Response> second = background(() -> browser.get(url(nodes.b,
                    "session", "reach:secondLocked", "hold:second")));
            ItSupport.pollUntil(Duration.ofSeconds(10), "second request took the lock after the first one's expired",
                    () -> ConcurrencyServlet.reached("secondLocked") == 1);
            byte[] secondToken = memcached.rawGet(lockKey(id));
            assertNotNull(secondToken);
            assertTrue(!java.util.Arrays.equals(firstToken, secondToken), "a new owner");

            ConcurrencyServlet.release("first");
            assertEquals(200, join(first).status());
            assertArrayEquals(secondToken, memcached.rawGet(lockKey(id)),
                    "the first request's release removed the lock the second request holds");

            ConcurrencyServlet.release("second");
            assertEquals(200, join(second).status());
            assertNull(memcached.rawGet(lockKey(id)), "the second request released its own lock");
        }
    }

    /** lockTimeoutAction=readonly: the late request is served from the stored session, its change is dropped. */
    @Test
    void lockWaitRunsOut_readonly_servesTheRequest_butStoresNothing() throws Exception {
        try (ConcurrencyNodes nodes = ConcurrencyNodes.start(memcached, SHORT_WAIT_READONLY)) {
            Browser browser = new Browser();
            String id = createSession(browser, nodes.a, "set:base:0");
            ok(browser, nodes.b, "session", "read:base");
            CompletableFuture<Browser.Response> holder = holdTheLockOnA(browser, nodes);
            MemcachedProcess.Item document = memcached.rawItem(documentKey(id));
            MemcachedProcess.Item access = memcached.rawItem(accessKey(id));

            Browser.Response served = ok(browser, nodes.b, "session", "read:base", "set:x:1", "read:x");

            assertEquals("0", served.p("attr.base"), "served with the session as stored");
            assertEquals("1", served.p("attr.x"), "the request itself sees its change");
            assertItemUnchanged(document, memcached.rawItem(documentKey(id)), "document");
            assertItemUnchanged(access, memcached.rawItem(accessKey(id)), "access record");

            ConcurrencyServlet.release("holder");
            assertEquals(200, join(holder).status());
            assertEquals("base", ok(browser, nodes.b, "session", "dump").p("names"), "x was not stored");
            assertEquals("base", ok(browser, nodes.a, "session", "dump").p("names"));
        }
    }

    /** A request without the lock may not end the session another request holds: 503, the session lives on. */
    @Test
    void lockWaitRunsOut_readonly_invalidateIsRefused_andTheSessionSurvives() throws Exception {
        try (ConcurrencyNodes nodes = ConcurrencyNodes.start(memcached, SHORT_WAIT_READONLY)) {
            Browser browser = new Browser();
            String id = createSession(browser, nodes.a, "set:base:0");
            CompletableFuture<Browser.Response> holder = holdTheLockOnA(browser, nodes, "set:held:1");
            MemcachedProcess.Item document = memcached.rawItem(documentKey(id));

            Browser.Response refused = browser.get(url(nodes.b, "session", "invalidate"));

            assertEquals(503, refused.status(), refused::toString);
            assertEquals(1, refused.header("Retry-After").size(), refused::toString);
            assertItemUnchanged(document, memcached.rawItem(documentKey(id)), "document");
            ConcurrencyServlet.release("holder");
            assertEquals(200, join(holder).status());
            Browser.Response after = ok(browser, nodes.b, "session", "dump");
            assertEquals("base,held", after.p("names"), "the holder's change was saved, the session lives on");
        }
    }

    /**
     * Starts a request on A that takes the session's lock, runs {@code ops}, then stays in the servlet
     * until the test calls {@code ConcurrencyServlet.release("holder")}; returns once it holds the lock.
     */
    private static CompletableFuture<Browser.Response> holdTheLockOnA(Browser browser, ConcurrencyNodes nodes,
            String... ops) {
        ConcurrencyServlet.armHold("holder");
        List<String> all = new ArrayList<>(List.of("session", "reach:locked"));
        all.addAll(List.of(ops));
        all.add("hold:holder");
        CompletableFuture<Browser.Response> holder = background(() -> browser.get(url(nodes.a,
                all.toArray(String[]::new))));
        ItSupport.pollUntil(Duration.ofSeconds(10), "holder inside the servlet",
                () -> ConcurrencyServlet.reached("locked") == 1);
        return holder;
    }

    private static void assertItemUnchanged(MemcachedProcess.Item before, MemcachedProcess.Item after, String what) {
        assertNotNull(after, what + " vanished");
        assertArrayEquals(before.data(), after.data(), what + " bytes changed");
        assertEquals(before.cas(), after.cas(), what + " was written (cas changed)");
    }
}
