package io.memsession.it;

import static io.memsession.it.ConcurrencyNodes.createSession;
import static io.memsession.it.ConcurrencyNodes.ok;
import static io.memsession.it.ConcurrencyNodes.parallel;
import static io.memsession.it.ConcurrencyNodes.url;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import io.memsession.testdb.TestDatabase;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The concurrency modes hold through the durable tier: the same overlapping requests as the memcached-only
 * suites, then memcached is flushed, so that what is asserted is what the database kept.
 */
class DurableTierConcurrencyTest extends AbstractConcurrencyTest {

    private TestDatabase database;

    @BeforeAll
    void startDatabase() {
        database = TestDatabase.Kind.POSTGRESQL.start();
    }

    @AfterAll
    void stopDatabase() {
        if (database != null) {
            database.close();
        }
    }

    private Map<String, String> tier(String mode, String... more) {
        Map<String, String> params = new LinkedHashMap<>(Map.of("concurrency", mode,
                "jdbcUrl", database.jdbcUrl(), "jdbcUser", database.user(), "jdbcPassword", database.password(),
                "jdbcCreateTable", "true", "jdbcTimeoutMillis", "5000"));
        for (int i = 0; i < more.length; i += 2) {
            params.put(more[i], more[i + 1]);
        }
        return params;
    }

    @Test
    void merge_overlappingRequestsEachSettingItsOwnAttribute_allReachTheDatabase() throws Exception {
        try (ConcurrencyNodes nodes = ConcurrencyNodes.start(memcached, tier("merge"))) {
            Browser browser = new Browser();
            createSession(browser, nodes.a, "set:base:0");
            int n = 8;
            ConcurrencyServlet.armGate("loaded", n);
            List<Browser.Response> answers = parallel(n, i -> browser.get(url(i % 2 == 0 ? nodes.a : nodes.b,
                    "session", "gate:loaded", "set:k" + i + ":v" + i)));
            answers.forEach(r -> assertEquals(200, r.status(), r::toString));
            TreeSet<String> expected = new TreeSet<>(List.of("base"));
            for (int i = 0; i < n; i++) {
                expected.add("k" + i);
            }
            assertEquals(String.join(",", expected), ok(browser, nodes.b, "session", "dump").p("names"));
            memcached.flushAll();
            for (ContainerNode node : List.of(nodes.a, nodes.b)) {
                Browser.Response dump = ok(browser, node, "session", "dump");
                assertEquals(String.join(",", expected), dump.p("names"),
                        () -> "the database lost a merged attribute, read on " + node.name());
            }
        }
    }

    @Test
    void lock_parallelReadModifyWrites_noIncrementLost_inTheDatabase() throws Exception {
        try (ConcurrencyNodes nodes = ConcurrencyNodes.start(memcached, tier("lock", "lockTimeoutMillis", "20000"))) {
            Browser browser = new Browser();
            createSession(browser, nodes.a, "set:base:0");
            int n = 12;
            List<Browser.Response> answers = parallel(n, i -> browser.get(url(i % 2 == 0 ? nodes.a : nodes.b,
                    "session", "incr:count:10")));
            answers.forEach(r -> assertEquals(200, r.status(), r::toString));
            assertEquals(1, ConcurrencyServlet.maxOverlap(), "two read-modify-writes of one session overlapped");
            memcached.flushAll();
            assertEquals(String.valueOf(n), ok(browser, nodes.b, "session", "read:count").p("attr.count"),
                    "every increment reached the database");
        }
    }

    @Test
    void none_lastWriterWins_andTheDatabaseHoldsWhatMemcachedServed() throws Exception {
        try (ConcurrencyNodes nodes = ConcurrencyNodes.start(memcached, tier("none"))) {
            Browser browser = new Browser();
            createSession(browser, nodes.a, "set:base:0");
            int n = 6;
            List<Browser.Response> answers = parallel(n, i -> browser.get(url(i % 2 == 0 ? nodes.a : nodes.b,
                    "session", "set:same:v" + i)));
            answers.forEach(r -> assertEquals(200, r.status(), r::toString));
            String cached = ok(browser, nodes.a, "session", "read:same").p("attr.same");
            memcached.flushAll();
            assertEquals(cached, ok(browser, nodes.b, "session", "read:same").p("attr.same"),
                    "memcached served a value the database does not hold");
        }
    }

    /**
     * Lock mode keeps its lock in memcached: while memcached is away no request can hold it, yet the
     * database still has every session. Each is served from there, read-only: the user stays logged in,
     * and a change made without the lock is never stored.
     */
    @Test
    void lock_memcachedDown_sessionsAreServedReadOnlyFromTheDatabase() throws Exception {
        try (ConcurrencyNodes nodes = ConcurrencyNodes.start(memcached, tier("lock", "opTimeoutMillis", "200"))) {
            Browser browser = new Browser();
            String id = createSession(browser, nodes.a, "set:user:alice");
            memcached.kill();
            try {
                Browser.Response during = ok(browser, nodes.b, "session", "read:user", "set:user:mallory");
                assertEquals(id, during.p("id"), () -> "the session was not served while memcached was down: " + during);
                assertEquals("alice", during.p("attr.user"));
            } finally {
                memcached.restart();
            }
            memcached.flushAll();
            assertEquals("alice", ok(browser, nodes.a, "session", "read:user").p("attr.user"),
                    "a change made without the lock was stored");
        }
    }
}
