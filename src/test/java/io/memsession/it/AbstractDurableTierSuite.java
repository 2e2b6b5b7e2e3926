package io.memsession.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.memsession.testdb.TestDatabase;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The durable tier end to end: two nodes of one container, one memcached and one real database server,
 * the filter configured by init-params only. memcached is killed, flushed, restarted and hung under
 * the nodes; every session must come back from the database with its attributes, times and interval,
 * never older than the last change a client was told about, and never after it was invalidated.
 *
 * <p>Subclasses name the container and the database; one database server per class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractDurableTierSuite {

    private static final Duration REPAIR_DEADLINE = Duration.ofSeconds(10);

    private TestDatabase database;
    private MemcachedProcess memcached;
    private ContainerNode a;
    private ContainerNode b;

    protected abstract ContainerNode.Kind kind();

    protected abstract TestDatabase.Kind databaseKind();

    @BeforeAll
    void start() throws Exception {
        database = databaseKind().start();
        memcached = MemcachedProcess.start();
        a = node("A").start();
        b = node("B").start();
    }

    @AfterAll
    void stop() throws Exception {
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
            if (database != null) {
                database.close();
            }
        }
    }

    private ContainerNode.Builder node(String name) {
        return kind().builder(name).contextPath("/app").servers(memcached.address())
                .initParam("opTimeoutMillis", "150")
                // the database sweep has its own test; here it must not add statements to the counts
                .initParam("expirySweepSeconds", "3600")
                .initParam("expiryGraceSeconds", "7200")
                .initParam("jdbcUrl", database.jdbcUrl())
                .initParam("jdbcUser", database.user())
                .initParam("jdbcPassword", database.password())
                .initParam("jdbcCreateTable", "true")
                .initParam("jdbcTimeoutMillis", "2000");
    }

    /**
     * Each test starts from a healthy cluster, whatever outage the one before caused: memcached clients
     * reconnected, the database answering, nothing awaiting repair.
     */
    @BeforeEach
    void awaitHealthy() {
        ItSupport.pollUntil(Duration.ofSeconds(30), "both tiers answer both nodes", () -> {
            Browser browser = new Browser();
            Browser.Response created = browser.get(a.probe("get:true", "set:probe:string:ok"));
            Browser.Response read = browser.get(b.probe("get:false", "attr:probe"));
            return created.status() == 200 && "ok".equals(read.p("attr.probe"))
                    && pendingRepairs(a) == 0 && pendingRepairs(b) == 0;
        });
    }

    /** Runs probe ops on {@code node} in {@code browser}; must answer 200 without any op failing. */
    private static Browser.Response on(Browser browser, ContainerNode node, String... ops) {
        Browser.Response r = browser.get(node.probe(ops));
        assertEquals(200, r.status(), () -> node.name() + " answered " + r);
        assertNull(r.p("error"), () -> "an op failed on " + node.name() + ": " + r);
        return r;
    }

    /** A user with a session created on A: attributes of several types and an interval of its own. */
    private record User(Browser browser, String id, long creationTime, String name) {
    }

    private List<User> users(int count, String tag) {
        List<User> users = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Browser browser = new Browser();
            String name = tag + "-" + i;
            Browser.Response r = on(browser, a, "get:true", "set:name:string:" + name, "set:visits:int:" + i,
                    "setMaxInactive:" + (900 + i), "creationTime");
            users.add(new User(browser, r.p("id"), Long.parseLong(r.p("creationTime")), name));
        }
        return users;
    }

    private static void assertIntact(User user, ContainerNode node, int visits) {
        Browser.Response r = on(user.browser(), node, "get:false", "attr:name", "attr:visits", "creationTime",
                "maxInactive");
        assertEquals("present", r.p("session"), () -> user.name() + " lost its session on " + node.name() + ": " + r);
        assertEquals(user.id(), r.p("id"));
        assertEquals(user.name(), r.p("attr.name"), r::toString);
        assertEquals(Integer.toString(visits), r.p("attr.visits"), r::toString);
        assertEquals("java.lang.Integer", r.p("attr.visits.class"), r::toString);
        assertEquals(Long.toString(user.creationTime()), r.p("creationTime"));
    }

    private int pendingRepairs(ContainerNode node) {
        String pending = on(new Browser(), node, "tier").p("tier.pendingRepairs");
        assertNotNull(pending, "the node publishes the tier's counters");
        return Integer.parseInt(pending);
    }

    private void awaitRepairs() {
        ItSupport.pollUntil(REPAIR_DEADLINE, "both nodes repaired their cached copies",
                () -> pendingRepairs(a) == 0 && pendingRepairs(b) == 0);
    }

    @Test
    void sessionsSurvive_memcachedKilledAndRestartedEmpty() {
        List<User> users = users(20, "killed");
        memcached.kill();
        memcached.restart();
        assertEquals(0, memcached.stat("curr_items"), "memcached came back empty");
        for (User user : users) {
            assertIntact(user, b, Integer.parseInt(user.name().substring(user.name().lastIndexOf('-') + 1)));
            Browser.Response interval = on(user.browser(), a, "get:false", "maxInactive");
            assertEquals(Integer.toString(900 + users.indexOf(user)), interval.p("maxInactive"));
        }
        // at once, or by the repair once the client has reconnected
        ItSupport.pollUntil(REPAIR_DEADLINE, "sessions read from the database go back into memcached",
                () -> memcached.stat("curr_items") >= users.size());
    }

    @Test
    void sessionsSurvive_flushAll() {
        List<User> users = users(10, "flushed");
        memcached.flushAll();
        for (int i = 0; i < users.size(); i++) {
            assertIntact(users.get(i), i % 2 == 0 ? b : a, i);
        }
    }

    @Test
    void memcachedRestartMidStream_losesNoAcknowledgedChange() {
        Browser browser = new Browser();
        on(browser, a, "get:true", "set:n:int:0");
        int last = 0;
        for (int i = 1; i <= 30; i++) {
            if (i == 10) {
                memcached.kill();
            }
            if (i == 20) {
                memcached.restart();
            }
            on(browser, i % 2 == 0 ? a : b, "get:false", "set:n:int:" + i);
            last = i;
        }
        for (ContainerNode node : List.of(a, b)) {
            Browser.Response r = on(browser, node, "get:false", "attr:n");
            assertEquals(Integer.toString(last), r.p("attr.n"),
                    () -> node.name() + " must read the last acknowledged value: " + r);
        }
    }

    @Test
    void memcachedHungDuringWrites_everySessionReadsItsNewestValueAfterwards() {
        List<User> users = users(4, "hung");
        try (MemcachedProcess.Suspension hung = memcached.suspend()) {
            for (int round = 1; round <= 2; round++) {
                for (User user : users) {
                    on(user.browser(), a, "get:false", "set:name:string:" + user.name() + "-v" + round);
                }
            }
        }
        // right after memcached answers again, memcached still holds the copies from before the hang: the
        // writer distrusts its own (pending repair), and B, which wrote nothing, learnt the cache epoch A
        // advanced when its first write failed, so it checks them against the database
        for (User user : users) {
            assertEquals(user.name() + "-v2", on(user.browser(), b, "get:false", "attr:name").p("attr.name"),
                    "B served a copy older than the database acknowledged");
            assertEquals(user.name() + "-v2", on(user.browser(), a, "get:false", "attr:name").p("attr.name"));
        }
        awaitRepairs();
        for (User user : users) {
            for (ContainerNode node : List.of(a, b)) {
                assertEquals(user.name() + "-v2", on(user.browser(), node, "get:false", "attr:name").p("attr.name"),
                        () -> node.name() + " served an older copy than the database acknowledged");
            }
        }
    }

    @Test
    void invalidate_endsTheSessionInBothTiers() {
        User user = users(1, "ended").get(0);
        on(user.browser(), b, "get:false", "invalidate");
        for (boolean flushed : new boolean[] {false, true}) {
            if (flushed) {
                memcached.flushAll();
            }
            for (ContainerNode node : List.of(a, b)) {
                Browser.Response read = Browser.rawWithCookie(node.port(), node.probePath("get:false"),
                        "JSESSIONID=" + user.id());
                assertEquals("null", read.p("session"),
                        () -> node.name() + " served an invalidated session (memcached flushed: " + flushed + ")");
            }
        }
    }

    @Test
    void sessionInvalidatedWhileMemcachedHung_isNotResurrected() {
        List<User> users = users(3, "invalidated");
        try (MemcachedProcess.Suspension hung = memcached.suspend()) {
            for (User user : users) {
                on(user.browser(), b, "get:false", "invalidate");
            }
        }
        awaitRepairs();
        for (User user : users) {
            for (ContainerNode node : List.of(a, b)) {
                Browser.Response read = Browser.rawWithCookie(node.port(), node.probePath("get:false"),
                        "JSESSIONID=" + user.id());
                assertEquals(200, read.status(), read::toString);
                assertEquals("null", read.p("session"), () -> node.name() + " resurrected an invalidated session: " + read);
            }
        }
    }

    @Test
    void memcachedDown_sessionsAreServedAndChangedThroughTheDatabase() {
        List<User> users = users(2, "down");
        memcached.kill();
        try {
            for (User user : users) {
                on(user.browser(), b, "get:false", "set:name:string:" + user.name() + "-changed");
                assertEquals(user.name() + "-changed", on(user.browser(), a, "get:false", "attr:name").p("attr.name"));
            }
        } finally {
            memcached.restart();
        }
        awaitRepairs();
        for (User user : users) {
            assertEquals(user.name() + "-changed", on(user.browser(), b, "get:false", "attr:name").p("attr.name"));
        }
    }

    /**
     * The documented policy for a database outage: sessions keep being served from memcached within the
     * bounds, a change that cannot reach the database is refused (stored nowhere, so the tiers never
     * disagree), and once the database answers again changes are stored as before.
     */
    @Test
    void databaseStoppedMidRun_sessionsAnswerFromMemcached_andChangesFollowThePolicy() {
        User user = users(1, "dbdown").get(0);
        database.stop();
        try {
            for (ContainerNode node : List.of(a, b, a)) {
                long start = System.nanoTime();
                assertEquals(user.name(), on(user.browser(), node, "get:false", "attr:name").p("attr.name"));
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(millis < 4_000, "a read took " + millis + " ms with the database down");
            }
            on(user.browser(), b, "get:false", "set:name:string:during-outage");
            assertEquals(user.name(), on(user.browser(), a, "get:false", "attr:name").p("attr.name"),
                    "a change the database did not take is stored nowhere");
            String failures = on(new Browser(), b, "tier").p("tier.databaseFailures");
            assertTrue(Long.parseLong(failures) > 0, "the outage is counted");
        } finally {
            database.restart();
        }
        ItSupport.pollUntil(Duration.ofSeconds(20), "changes reach the database again", () -> {
            on(user.browser(), b, "get:false", "set:name:string:after-outage");
            return "after-outage".equals(on(user.browser(), a, "get:false", "attr:name").p("attr.name"));
        });
        memcached.flushAll();
        assertEquals("after-outage", on(user.browser(), a, "get:false", "attr:name").p("attr.name"),
                "the change after the outage is in the database");
    }

    @Test
    void unchangedSessions_costTheDatabaseNothingWhileMemcachedHoldsThem() {
        User user = users(1, "reader").get(0);
        on(user.browser(), a, "get:false", "attr:name");
        long before = Long.parseLong(on(new Browser(), a, "tier").p("tier.databaseStatements"));
        for (int i = 0; i < 10; i++) {
            on(user.browser(), a, "get:false", "attr:name");
        }
        long after = Long.parseLong(on(new Browser(), a, "tier").p("tier.databaseStatements"));
        assertEquals(before, after, "ten reads of a cached, unchanged session sent statements to the database");
    }

    @Test
    void theUsersName_isRecordedInThePrincipalColumn_andClearedWhenItGoes() {
        String name = "alice-" + System.nanoTime();
        Browser browser = new Browser();
        on(browser, a, "get:true", "set:" + io.memsession.MemcachedSessionFilter.PRINCIPAL_ATTRIBUTE + ":string:" + name);
        assertEquals(1, rowsOfPrincipal(name), "the new session's row names its user");
        on(browser, b, "get:false", "set:cart:string:three-books");
        assertEquals(1, rowsOfPrincipal(name), "a later change on the other node keeps the user");
        on(browser, b, "get:false", "remove:" + io.memsession.MemcachedSessionFilter.PRINCIPAL_ATTRIBUTE);
        assertEquals(0, rowsOfPrincipal(name), "the user is gone from the row once the session no longer names it");
    }

    private int rowsOfPrincipal(String name) {
        return ((Number) database.query("SELECT COUNT(*) FROM memsession_sessions WHERE principal = ?", name)
                .get(0).get(0)).intValue();
    }
}
