package io.memsession.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;

import javax.management.JMX;
import javax.management.ObjectName;

import io.memsession.SessionMetricsMXBean;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.junit.jupiter.api.Test;

/**
 * The metrics move as the requests go, on a real memcached and a real Jetty: sessions created, loaded,
 * missed, saved and invalidated, bytes read and written; after memcached is killed, its errors are
 * counted for that server and its breaker opens; once it is back on the same port the breaker closes.
 * The same numbers reach Micrometer, which is on the test classpath, through its global registry.
 */
class SessionMetricsTest {

    private static final String CONTEXT = "/metrics-it";

    @Test
    void countersFollowTheRequests_andTheServerSideFollowsAKillAndARestart() throws Exception {
        SimpleMeterRegistry micrometer = new SimpleMeterRegistry();
        Metrics.addRegistry(micrometer);
        try (MemcachedProcess memcached = MemcachedProcess.start()) {
            ContainerNode node = ContainerNode.Kind.JETTY.builder("metrics").contextPath(CONTEXT)
                    .servers(memcached.address()).initParam("opTimeoutMillis", "300").start();
            try {
                SessionMetricsMXBean jmx = JMX.newMXBeanProxy(ManagementFactory.getPlatformMBeanServer(),
                        new ObjectName("io.memsession:type=SessionMetrics,context=" + ObjectName.quote(CONTEXT)),
                        SessionMetricsMXBean.class);
                String server = memcached.address();
                assertEquals(Map.of(server, "CLOSED"), jmx.getServerBreakerStates());
                assertEquals(Map.of(server, 0L), jmx.getServerErrors());

                Browser.Response created = Browser.raw(node.port(), node.probePath("get:true",
                        "set:v:string:" + "x".repeat(500)));
                assertEquals(200, created.status(), created::toString);
                String cookie = "JSESSIONID=" + created.p("id");
                assertEquals(1, jmx.getSessionsCreated());
                assertEquals(1, jmx.getSaves());
                assertEquals(0, jmx.getSessionsLoaded());
                long written = jmx.getBytesWritten();
                assertTrue(written > 500, "the document with its 500-character value was written: " + written);
                assertEquals(0, jmx.getBytesRead());

                Browser.Response read = Browser.rawWithCookie(node.port(), node.probePath("get:false", "attr:v"), cookie);
                assertEquals("present", read.p("session"), read::toString);
                assertEquals(1, jmx.getSessionsLoaded());
                assertEquals(written, jmx.getBytesRead(), "the same document read back");
                assertTrue(jmx.getLoadMicrosMax() > 0, "a load over loopback takes some microseconds");
                assertTrue(jmx.getSaveMicrosMax() > 0, "so does a save");

                Browser.rawWithCookie(node.port(), node.probePath("get:false", "invalidate"), cookie);
                assertEquals(1, jmx.getSessionsInvalidated());
                Browser.Response gone = Browser.rawWithCookie(node.port(), node.probePath("get:false"), cookie);
                assertEquals("null", gone.p("session"), gone::toString);
                assertEquals(1, jmx.getSessionsMissed(), "the invalidated session's id found nothing");
                assertEquals(2, jmx.getSessionsLoaded(), "the invalidating request loaded it too");

                assertEquals(1.0, micrometer.get("memsession.sessions.created").tag("context", CONTEXT)
                        .functionCounter().count(), "the filter bound its meters to Micrometer's global registry");
                assertEquals(written, micrometer.get("memsession.bytes.written").tag("context", CONTEXT)
                        .functionCounter().count());

                Browser.Response live = Browser.raw(node.port(), node.probePath("get:true", "set:v:string:kept"));
                String liveCookie = "JSESSIONID=" + live.p("id");
                memcached.kill();
                ItSupport.pollUntil(Duration.ofSeconds(10), "the breaker of " + server + " opens", () -> {
                    Browser.Response r = Browser.rawWithCookie(node.port(), node.probePath("get:false"), liveCookie);
                    assertEquals(200, r.status(), r::toString);
                    return "OPEN".equals(jmx.getServerBreakerStates().get(server));
                });
                long failures = jmx.getServerErrors().get(server) + jmx.getServerTimeouts().get(server);
                assertTrue(jmx.getServerErrors().get(server) >= 1, "errors counted for the killed server: "
                        + jmx.getServerErrors() + ", timeouts " + jmx.getServerTimeouts());
                assertTrue(failures >= 3, "3 failures in a row open the breaker: " + failures);
                assertEquals(2.0, micrometer.get("memsession.server.breaker").tag("context", CONTEXT)
                        .tag("server", server).gauge().value(), "open, as Micrometer sees it");
                assertEquals((double) jmx.getServerErrors().get(server), micrometer.get("memsession.server.errors")
                        .tag("context", CONTEXT).tag("server", server).functionCounter().count());

                memcached.restart();
                ItSupport.pollUntil(Duration.ofSeconds(20), "the breaker of " + server + " closes", () -> {
                    Browser.Response r = Browser.raw(node.port(), node.probePath("get:true", "set:v:string:back"));
                    assertEquals(200, r.status(), r::toString);
                    return "CLOSED".equals(jmx.getServerBreakerStates().get(server));
                });
                assertEquals(0.0, micrometer.get("memsession.server.breaker").tag("context", CONTEXT)
                        .tag("server", server).gauge().value());
            } finally {
                node.stop();
            }
            assertTrue(micrometer.find("memsession.sessions.created").tag("context", CONTEXT).meters().isEmpty(),
                    "a stopped webapp leaves no meter behind");
        } finally {
            Metrics.removeRegistry(micrometer);
        }
    }
}
