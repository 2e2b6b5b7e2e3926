package io.memsession.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.memsession.SessionMetricsMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import javax.management.JMX;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/**
 * The JMX metrics count connection losses per memcached server: with two real servers in {@code servers},
 * killing one is counted once for it and never for the other.
 */
class ServerConnectionLossesTest {

    private static final String CONTEXT = "/connection-losses";

    @Test
    void killingOneOfTwoServers_isCountedForThatServerOnly() throws Exception {
        try (MemcachedProcess survivor = MemcachedProcess.start(); MemcachedProcess victim = MemcachedProcess.start()) {
            ContainerNode node = ContainerNode.Kind.JETTY.builder("losses").contextPath(CONTEXT)
                    .servers(survivor.address() + " " + victim.address()).start();
            try {
                SessionMetricsMXBean metrics = JMX.newMXBeanProxy(ManagementFactory.getPlatformMBeanServer(),
                        new ObjectName("io.memsession:type=SessionMetrics,context=" + ObjectName.quote(CONTEXT)),
                        SessionMetricsMXBean.class);
                assertEquals(Map.of(survivor.address(), 0L, victim.address(), 0L), metrics.getServerConnectionLosses(),
                        "every configured server is listed, none failed yet");

                victim.kill();

                ItSupport.pollUntil(Duration.ofSeconds(10), "the lost connection to " + victim.address() + " counted",
                        () -> metrics.getServerConnectionLosses().get(victim.address()) == 1L);
                for (int i = 0; i < 10; i++) {
                    Browser.Response r = Browser.raw(node.port(), node.probePath("get:true", "set:n:" + i));
                    assertEquals(200, r.status(), r::toString);
                }
                assertEquals(Map.of(survivor.address(), 0L, victim.address(), 1L), metrics.getServerConnectionLosses(),
                        "one loss for the killed server, whatever the requests after it; none for the other");
            } finally {
                node.stop();
            }
        }
    }
}
