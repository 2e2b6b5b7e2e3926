package io.memsession.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.memsession.testdb.TestDatabase;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The database sweep: sessions created on a node that then stopped for good (so no running node watches
 * them) still have their end announced, once across the cluster, with their attributes readable, and
 * their rows deleted; a live session's row stays.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DurableSweepTest {

    private static final String KEY_PREFIX = "sweep-test:";

    private TestDatabase database;
    private MemcachedProcess memcached;
    private ContainerNode a;
    private ContainerNode b;

    @BeforeAll
    void start() throws Exception {
        database = TestDatabase.Kind.POSTGRESQL.start();
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
        return ContainerNode.Kind.JETTY.builder(name).contextPath("/app").servers(memcached.address())
                .initParam("keyPrefix", KEY_PREFIX)
                .initParam("listeners", RecordingSessionListener.class.getName())
                .initParam("expirySweepSeconds", "1")
                .initParam("expiryGraceSeconds", "2")
                .initParam("jdbcUrl", database.jdbcUrl())
                .initParam("jdbcUser", database.user())
                .initParam("jdbcPassword", database.password())
                .initParam("jdbcCreateTable", "true")
                .initParam("jdbcAccessWriteFraction", "0");
    }

    private long sessionRows() {
        return ((Number) database.query("SELECT COUNT(*) FROM memsession_sessions WHERE key_space = ?"
                + " AND session_key NOT LIKE '%:%'", KEY_PREFIX).get(0).get(0)).longValue();
    }

    @Test
    void expiredSessionsOfAStoppedNode_areAnnouncedOnceWithAttributes_andTheirRowsDeleted() throws Exception {
        List<String> shortLived = new ArrayList<>();
        String longLived;
        ContainerNode c = node("C").start();
        try {
            for (int i = 0; i < 3; i++) {
                Browser.Response r = new Browser().get(c.probe("get:true", "set:owner:string:user" + i,
                        "setMaxInactive:1"));
                assertEquals(200, r.status(), r::toString);
                shortLived.add(r.p("id"));
            }
            Browser.Response r = new Browser().get(c.probe("get:true", "set:owner:string:stays"));
            longLived = r.p("id");
        } finally {
            c.stop();
        }
        assertTrue(sessionRows() >= 1, "the sessions were written to the database");

        ItSupport.pollUntil(Duration.ofSeconds(20), "the sweep announced the three expired sessions",
                () -> EventLog.where(e -> e.type().equals("sessionDestroyed")
                        && shortLived.contains(e.sessionId())).size() >= 3);
        ItSupport.pollUntil(Duration.ofSeconds(10), "their rows are deleted", () -> sessionRows() == 1);

        for (int i = 0; i < shortLived.size(); i++) {
            String id = shortLived.get(i);
            List<EventLog.Event> ends = EventLog.where(e -> e.type().equals("sessionDestroyed")
                    && e.sessionId().equals(id));
            assertEquals(1, ends.size(), () -> "announced once cluster-wide: " + ends);
            assertTrue(ends.get(0).readable(), ends.get(0)::toString);
            assertEquals("user" + i, ends.get(0).attributes().get("owner"), ends.get(0)::toString);
            assertTrue(List.of("A", "B").contains(ends.get(0).node()), ends.get(0)::toString);
        }
        assertEquals(List.of(), EventLog.where(e -> e.type().equals("sessionDestroyed")
                && e.sessionId().equals(longLived)), "a live session is not ended");
        Browser.Response stays = Browser.rawWithCookie(a.port(), a.probePath("get:false", "attr:owner"),
                "JSESSIONID=" + longLived);
        assertEquals("stays", stays.p("attr.owner"), stays::toString);
        assertNull(stays.p("error"));
    }
}
