package io.memsession.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;

import com.zaxxer.hikari.HikariDataSource;

import io.memsession.testdb.TestDatabase;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The durable tier on a {@code DataSource} the container owns: a Tomcat node with a connection pool
 * declared as a JNDI resource (as a {@code <Resource>} in {@code context.xml} would), named by the
 * {@code dataSource} init-param, with no JDBC URL or credentials in the filter's configuration; and a
 * second node on the same PostgreSQL server through {@code jdbcUrl} (embedded Tomcat keeps JNDI's
 * global context in a static field, so only one server with naming on can stop cleanly in a JVM).
 * Sessions survive memcached losing them, read back through either way of reaching the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainerDataSourceTest {

    private TestDatabase database;
    private MemcachedProcess memcached;
    private ContainerNode a;
    private ContainerNode b;

    @BeforeAll
    void start() throws Exception {
        database = TestDatabase.Kind.POSTGRESQL.start();
        memcached = MemcachedProcess.start();
        a = node("A").jndiResource("jdbc/sessions", HikariDataSource.class, Map.of(
                        "jdbcUrl", database.jdbcUrl(),
                        "username", database.user(),
                        "password", database.password(),
                        "maximumPoolSize", "4",
                        "connectionTimeout", "1000",
                        "poolName", "container-pool"))
                .initParam("dataSource", "java:comp/env/jdbc/sessions").start();
        b = node("B").initParam("jdbcUrl", database.jdbcUrl()).initParam("jdbcUser", database.user())
                .initParam("jdbcPassword", database.password()).start();
    }

    private ContainerNode.Builder node(String name) {
        return ContainerNode.Kind.TOMCAT.builder(name).contextPath("/app").servers(memcached.address())
                .initParam("jdbcCreateTable", "true")
                .initParam("opTimeoutMillis", "300");
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

    @Test
    void sessionsLiveInTheContainersDataSource_andSurviveMemcachedFlushed() throws Exception {
        Browser browser = new Browser();
        assertEquals(0L, ((Number) database.query("SELECT COUNT(*) FROM memsession_sessions WHERE session_key NOT LIKE '%:%'")
                .get(0).get(0)).longValue());
        Browser.Response created = browser.get(a.probe("get:true", "set:cart:string:two-books", "set:visits:int:7"));
        assertEquals(200, created.status(), created::toString);
        String id = created.p("id");
        assertEquals(1L, ((Number) database.query("SELECT COUNT(*) FROM memsession_sessions WHERE session_key NOT LIKE '%:%'")
                .get(0).get(0)).longValue(), "the session's row is in the container's database");

        memcached.flushAll();

        Browser.Response read = browser.get(b.probe("get:false", "attr:cart", "attr:visits"));
        assertEquals(id, read.p("id"), read::toString);
        assertEquals("two-books", read.p("attr.cart"), read::toString);
        assertEquals("7", read.p("attr.visits"), read::toString);

        // and the other way round: written through memsession's own pool, read through the container's
        browser.get(b.probe("get:false", "set:cart:string:three-books"));
        memcached.flushAll();
        assertEquals("three-books", browser.get(a.probe("get:false", "attr:cart")).p("attr.cart"));
        ItSupport.pollUntil(Duration.ofSeconds(5), "the session is cached again after the database read",
                () -> memcached.stats().get("curr_items") > 0);
    }
}
