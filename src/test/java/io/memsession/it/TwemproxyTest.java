package io.memsession.it;

import static io.memsession.it.ConcurrencyNodes.createSession;
import static io.memsession.it.ConcurrencyNodes.documentKey;
import static io.memsession.it.ConcurrencyNodes.lockKey;
import static io.memsession.it.ConcurrencyNodes.ok;
import static io.memsession.it.ConcurrencyNodes.parallel;
import static io.memsession.it.ConcurrencyNodes.url;
import static io.memsession.it.ItSupport.pollUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * memsession through twemproxy: two real memcached processes behind one real nutcracker (ketama over
 * {@code fnv1a_64}), two Jetty nodes whose {@code servers} names the proxy only. Sessions are created,
 * changed, read, kept alive and invalidated across nodes and land on both servers; every concurrency
 * mode keeps its guarantee, since nutcracker forwards every command memsession sends ({@code gets} with several keys,
 * {@code cas}, {@code add}, {@code replace}, {@code set}, {@code touch}, {@code delete}, with and without
 * {@code noreply}); and a server that dies costs its own sessions only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwemproxyTest {

    private static final int SESSIONS = 24;

    private final List<MemcachedProcess> servers = new ArrayList<>();
    private NutcrackerProcess proxy;

    @BeforeAll
    void startFleetBehindTheProxy() {
        servers.add(MemcachedProcess.start());
        servers.add(MemcachedProcess.start());
        proxy = NutcrackerProcess.start(servers);
    }

    @AfterAll
    void stopAll() {
        if (proxy != null) {
            proxy.close();
        }
        servers.forEach(MemcachedProcess::close);
    }

    @AfterEach
    void openAllGates() {
        ConcurrencyServlet.reset();
    }

    /**
     * What the probe found, kept as a guard: the commands memsession sends are answered through the
     * proxy, {@code gets} with its cas unique and several keys fanned out to both servers; {@code gat} is
     * not (nutcracker closes the connection), which is why memsession must never send it.
     */
    @Test
    void theCommandsMemsessionSends_areAnsweredThroughTheProxy_gatIsNot() throws IOException {
        String k = "probe:" + System.nanoTime();
        assertEquals("STORED\r\n", proxy.send("set " + k + " 0 60 3\r\nabc\r\n"));
        String gets = proxy.send("gets " + k + " " + k + ".a\r\n");
        Matcher unique = Pattern.compile("VALUE " + Pattern.quote(k) + " 0 3 (\\d+)\r\nabc\r\nEND\r\n").matcher(gets);
        assertTrue(unique.matches(), gets);
        assertEquals("EXISTS\r\n", proxy.send("cas " + k + " 0 60 3 " + (Long.parseLong(unique.group(1)) + 1)
                + "\r\nxyz\r\n"), "cas with a stale unique is refused");
        assertEquals("STORED\r\n", proxy.send("cas " + k + " 0 60 3 " + unique.group(1) + "\r\nxyz\r\n"));
        assertEquals("NOT_STORED\r\n", proxy.send("add " + k + " 0 60 1\r\nx\r\n"));
        assertEquals("STORED\r\n", proxy.send("replace " + k + " 0 60 3\r\nqqq\r\n"));
        assertEquals("TOUCHED\r\n", proxy.send("touch " + k + " 60\r\n"));
        assertEquals("VALUE " + k + ".a 0 1\r\ny\r\nEND\r\n",
                proxy.send("add " + k + ".a 0 60 1 noreply\r\ny\r\nget " + k + ".a\r\n"));
        assertEquals("END\r\n", proxy.send("delete " + k + ".a noreply\r\nget " + k + ".a\r\n"));
        assertEquals("DELETED\r\n", proxy.send("delete " + k + "\r\n"));
        assertEquals("", proxy.send("gat 60 " + k + "\r\n"), "nutcracker answers gat by closing the connection");
    }

    @Test
    void sessionsCreatedChangedReadAndInvalidated_acrossNodes_landOnBothServers() throws Exception {
        try (ConcurrencyNodes nodes = ConcurrencyNodes.start(proxy.address(), Map.of())) {
            List<Browser> browsers = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < SESSIONS; i++) {
                Browser browser = new Browser();
                browsers.add(browser);
                ids.add(createSession(browser, nodes.a, "set:n:" + i));
            }
            for (int i = 0; i < SESSIONS; i++) {
                Browser browser = browsers.get(i);
                assertEquals(String.valueOf(i), ok(browser, nodes.b, "session", "read:n").p("attr.n"));
                ok(browser, nodes.b, "session", "set:n:changed" + i, "set:m:" + i);
                Browser.Response back = ok(browser, nodes.a, "session", "dump");
                assertEquals(ids.get(i), back.p("id"));
                assertEquals("changed" + i, back.p("attr.n"));
                assertEquals(String.valueOf(i), back.p("attr.m"));
            }
            int[] held = new int[servers.size()];
            for (String id : ids) {
                for (int s = 0; s < servers.size(); s++) {
                    if (servers.get(s).rawGet(documentKey(id)) != null) {
                        held[s]++;
                    }
                }
            }
            assertEquals(SESSIONS, held[0] + held[1], "each session is stored once, on one server");
            assertTrue(held[0] > 0 && held[1] > 0, "the proxy spread sessions over both servers: " + held[0]
                    + " and " + held[1]);

            // a request that never calls getSession keeps its session alive: gets and cas of the access record
            String accessKey = ConcurrencyNodes.accessKey(ids.get(1));
            String before = rawValue(accessKey);
            pollUntil(Duration.ofSeconds(5), "the clock moves past the last access", () -> System.currentTimeMillis()
                    > Long.parseLong(before.split(":")[0]));
            assertEquals(200, browsers.get(1).get(nodes.b.url(ContainerNode.PLAIN)).status());
            String after = rawValue(accessKey);
            assertTrue(Long.parseLong(after.split(":")[0]) > Long.parseLong(before.split(":")[0]),
                    "the keep-alive recorded a later access: " + before + " -> " + after);

            for (int i = 0; i < SESSIONS; i += 2) {
                assertEquals("yes", ok(browsers.get(i), nodes.a, "session", "invalidate").p("invalidated"));
            }
            for (int i = 0; i < SESSIONS; i++) {
                Browser.Response r = ok(browsers.get(i), nodes.b, "session", "read:n");
                String documentKey = documentKey(ids.get(i));
                if (i % 2 == 0) {
                    assertEquals("null", r.p("session"), "invalidated on A, gone on B");
                    for (MemcachedProcess server : servers) {
                        assertNull(server.rawGet(documentKey), "the document of an invalidated session");
                    }
                } else {
                    assertEquals("changed" + i, r.p("attr.n"));
                }
            }
        }
    }

    /** The value stored under {@code key} on whichever server of the pool holds it. */
    private String rawValue(String key) {
        for (MemcachedProcess server : servers) {
            byte[] value = server.rawGet(key);
            if (value != null) {
                return new String(value, java.nio.charset.StandardCharsets.US_ASCII);
            }
        }
        throw new AssertionError("no server holds " + key);
    }

    /** Merge needs cas: forty saves of one session, all from the same loaded version, all survive. */
    @Test
    void merge_overlappingSavesOnBothNodes_allSurvive() throws Exception {
        try (ConcurrencyNodes nodes = ConcurrencyNodes.start(proxy.address(), Map.of("concurrency", "merge"))) {
            Browser browser = new Browser();
            String id = createSession(browser, nodes.a, "set:base:0");
            int n = 40;
            ConcurrencyServlet.armGate("loaded", n);

            List<Browser.Response> answers = parallel(n, i -> browser.get(url(i % 2 == 0 ? nodes.a : nodes.b,
                    "session", "gate:loaded", "set:k" + i + ":v" + i)));

            for (Browser.Response r : answers) {
                assertEquals(200, r.status(), r::toString);
                assertEquals(id, r.p("id"));
            }
            Browser.Response dump = ok(browser, nodes.b, "session", "dump");
            for (int i = 0; i < n; i++) {
                assertEquals("v" + i, dump.p("attr.k" + i), "attribute k" + i + " of " + n + " overlapping saves");
            }
        }
    }

    /** The lock is an add, checked with gets and released with a cas: no increment lost, none overlapping. */
    @Test
    void lock_parallelReadModifyWritesOnBothNodes_noIncrementLost() throws Exception {
        try (ConcurrencyNodes nodes = ConcurrencyNodes.start(proxy.address(),
                Map.of("concurrency", "lock", "lockTimeoutMillis", "20000", "lockQueueMax", "20"))) {
            Browser browser = new Browser();
            String id = createSession(browser, nodes.a, "set:base:0");
            int n = 16;

            List<Browser.Response> answers = parallel(n, i -> browser.get(url(i % 2 == 0 ? nodes.a : nodes.b,
                    "session", "incr:count:10")));

            for (Browser.Response r : answers) {
                assertEquals(200, r.status(), r::toString);
            }
            assertEquals(String.valueOf(n), ok(browser, nodes.b, "session", "read:count").p("attr.count"));
            assertEquals(1, ConcurrencyServlet.maxOverlap(), "two read-modify-writes of one session overlapped");
            for (MemcachedProcess server : servers) {
                assertNull(server.rawGet(lockKey(id)), "the last holder released the lock");
            }
        }
    }

    /** Without a concurrency guarantee, changes still travel: the later save wins. */
    @Test
    void none_laterSaveWins_acrossNodes() throws Exception {
        try (ConcurrencyNodes nodes = ConcurrencyNodes.start(proxy.address(), Map.of("concurrency", "none"))) {
            Browser browser = new Browser();
            createSession(browser, nodes.a, "set:x:1");
            ok(browser, nodes.b, "session", "set:x:2");
            ok(browser, nodes.a, "session", "set:y:3");
            Browser.Response dump = ok(browser, nodes.b, "session", "dump");
            assertEquals("2", dump.p("attr.x"));
            assertEquals("3", dump.p("attr.y"));
        }
    }

    /**
     * One of two servers behind the proxy is killed: the sessions on the other one stay, and the users of
     * the dead one get a new session that is stored (the proxy ejected the server), never an error.
     */
    @Test
    void oneServerKilled_itsSessionsStartAfresh_theOthersStay() throws Exception {
        List<MemcachedProcess> fleet = List.of(MemcachedProcess.start(), MemcachedProcess.start());
        try (NutcrackerProcess ownProxy = NutcrackerProcess.start(fleet);
                ConcurrencyNodes nodes = ConcurrencyNodes.start(ownProxy.address(), Map.of())) {
            List<Browser> browsers = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < SESSIONS; i++) {
                browsers.add(new Browser());
                ids.add(createSession(browsers.get(i), nodes.a, "set:n:" + i));
            }
            MemcachedProcess victim = fleet.get(0);
            List<Boolean> onVictim = ids.stream().map(id -> victim.rawGet(documentKey(id)) != null).toList();
            assertTrue(onVictim.contains(true) && onVictim.contains(false), "sessions on both servers: " + onVictim);

            victim.kill();

            for (int i = 0; i < SESSIONS; i++) {
                Browser browser = browsers.get(i);
                long start = System.nanoTime();
                Browser.Response r = browser.get(url(i % 2 == 0 ? nodes.a : nodes.b, "create", "read:n"));
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertEquals(200, r.status(), r::toString);
                // the proxy answers a refused connection at once: nobody waits for opTimeoutMillis (5 s here)
                assertTrue(millis < 2_000, "a request after the kill took " + millis + " ms");
                if (onVictim.get(i)) {
                    assertNotEquals(ids.get(i), r.p("id"), "a session of the dead server cannot be found");
                } else {
                    assertEquals(ids.get(i), r.p("id"), "a session of the surviving server stays");
                    assertEquals(String.valueOf(i), r.p("attr.n"));
                }
            }
            // the ejected server's users got new sessions, stored on the survivor
            for (int i = 0; i < SESSIONS; i++) {
                if (onVictim.get(i)) {
                    Browser.Response again = ok(browsers.get(i), nodes.b, "session", "set:after:kill", "read:after");
                    assertEquals("present", again.p("session"), "the new session was stored: " + again);
                    assertEquals("kill", again.p("attr.after"));
                }
            }
        } finally {
            fleet.forEach(MemcachedProcess::close);
        }
    }
}
