package io.memsession.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import io.memsession.testdb.TestDatabase;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Start-up of the durable tier: a wrong setting stops the webapp naming the init-param; a database that
 * does not answer yet does not, and is used once it does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DurableTierStartupTest {

    private MemcachedProcess memcached;

    @BeforeAll
    void startMemcached() {
        memcached = MemcachedProcess.start();
    }

    @AfterAll
    void stopMemcached() {
        if (memcached != null) {
            memcached.close();
        }
    }

    private ContainerNode.Builder node(String name) {
        return ContainerNode.Kind.JETTY.builder(name).contextPath("/app").servers(memcached.address());
    }

    private static void assertStartFails(ContainerNode.Builder builder, String param, String mustNotShow) {
        Exception e = assertThrows(Exception.class, builder.build()::start, "the webapp must not start");
        String messages = ItSupport.messages(e);
        assertTrue(messages.contains("'" + param + "'"), () -> "start-up failure must name " + param + ":\n" + messages);
        if (mustNotShow != null) {
            assertFalse(messages.contains(mustNotShow), "the failure shows a credential:\n" + messages);
        }
    }

    @Test
    void unknownJndiName_failsStartup_namingDataSource() {
        assertStartFails(node("jndi").initParam("dataSource", "java:comp/env/jdbc/nothing"), "dataSource", null);
    }

    @Test
    void urlNoDriverAccepts_failsStartup_namingJdbcUrl_withoutItsCredentials() {
        assertStartFails(node("driver").initParam("jdbcUrl", "jdbc:nosuchdb://127.0.0.1:1/x?password=s3cret"),
                "jdbcUrl", "s3cret");
    }

    @Test
    void tableNameThatIsNoIdentifier_failsStartup_namingJdbcTable() {
        assertStartFails(node("table").initParam("jdbcUrl", "jdbc:h2:tcp://127.0.0.1:1/x")
                .initParam("jdbcTable", "sessions;drop"), "jdbcTable", null);
    }

    /** Session rows in the table; 0 while the table does not exist yet. */
    private static long storedSessions(TestDatabase database) {
        try {
            return ((Number) database.query("SELECT COUNT(*) FROM memsession_sessions WHERE session_key NOT LIKE '%:%'")
                    .get(0).get(0)).longValue();
        } catch (IllegalStateException noTableYet) {
            return 0;
        }
    }

    @Test
    void databaseDownAtStartup_webappStarts_andUsesTheDatabaseOnceItAnswers() throws Exception {
        TestDatabase database = TestDatabase.Kind.H2.start();
        database.stop();
        ContainerNode node = node("late-db").initParam("jdbcUrl", database.jdbcUrl())
                .initParam("jdbcUser", database.user()).initParam("jdbcCreateTable", "true").start();
        try {
            Browser.Response answered = new Browser().get(node.probe("get:true", "set:x:string:1"));
            assertEquals(200, answered.status(), "the webapp serves requests while its database is down");
            database.restart();
            Browser browser = new Browser();
            // the table is created by the start-up retry (every 5 s); then sessions are stored durably
            ItSupport.pollUntil(Duration.ofSeconds(20), "a session reaches the database once it answers", () -> {
                Browser.Response r = browser.get(node.probe("get:true", "set:x:string:stored"));
                return r.status() == 200 && storedSessions(database) > 0;
            });
            memcached.flushAll();
            assertEquals("stored", browser.get(node.probe("get:false", "attr:x")).p("attr.x"),
                    "the session came back from the database");
        } finally {
            node.stop();
            database.close();
        }
    }
}
