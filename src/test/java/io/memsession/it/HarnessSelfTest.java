package io.memsession.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Checks the fixtures themselves, without the filter under test, so that a failure in
 * {@link TwoNodeSessionTest} can be trusted to be about the filter: memcached starts, counts and
 * restarts; Jetty serves the probe; the container-session counter really counts; a filter whose init
 * throws makes {@link JettyNode#start()} throw; the webapp's session-timeout and cookie name settings
 * really reach the ServletContext.
 */
class HarnessSelfTest {

    @Test
    void memcachedProcess_startsCountsStoresRestartsAndDies() {
        try (MemcachedProcess m = MemcachedProcess.start()) {
            assertTrue(m.address().startsWith("127.0.0.1:"));
            long gets = m.stat("cmd_get");
            assertNull(m.rawGet("it:absent"));
            m.rawSet("it:k", "v1".getBytes(StandardCharsets.UTF_8));
            assertEquals("v1", new String(m.rawGet("it:k"), StandardCharsets.UTF_8));
            Map<String, Long> s = m.stats();
            assertEquals(gets + 2, s.get("cmd_get"));
            assertEquals(1, s.get("get_hits"));
            assertEquals(1, s.get("curr_items"));
            assertTrue(m.rawDelete("it:k"));

            m.rawSet("it:k", "v2".getBytes(StandardCharsets.UTF_8));
            m.restart();
            assertTrue(m.isAlive());
            assertNull(m.rawGet("it:k"), "a restarted memcached comes back empty");

            long pid = m.pid();
            m.kill();
            assertFalse(m.isAlive());
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        }
    }

    @Test
    void jettyWithoutFilter_servesProbe_andCountsItsOwnSessions_andAppliesWebappSettings() throws Exception {
        JettyNode node = JettyNode.builder("bare").filter(null).sessionTimeoutMinutes(7).cookieName("MYSESS")
                .start();
        try {
            Browser browser = new Browser();
            Browser.Response plain = browser.get(node.url(JettyNode.PLAIN));
            assertEquals(200, plain.status());
            assertEquals("ok", plain.p("plain"));

            Browser.Response r = browser.get(node.probe("get:true", "id", "maxInactive", "context"));
            assertEquals(200, r.status(), r.toString());
            assertEquals("present", r.p("session"));
            assertEquals("420", r.p("maxInactive"));
            assertEquals("7", r.p("contextSessionTimeout"));
            assertEquals(1, node.containerSessionsCreated(), "the listener sees container sessions");
            assertEquals(1, r.setCookies("MYSESS").size(), r.toString());

            Browser.Response again = browser.get(node.probe("get:false", "isNew"));
            assertEquals("false", again.p("isNew"));

            Browser.Response raw = Browser.rawWithCookie(node.port(), node.probePath("requested"),
                    "MYSESS=abc def");
            assertNotEquals(0, raw.status());
        } finally {
            node.stop();
        }
    }

    @Test
    void jettyDefaults_reportSessionTimeoutZero_whenTheWebappSetsNone() throws Exception {
        JettyNode node = JettyNode.builder("defaults").filter(null).start();
        try {
            Browser.Response r = new Browser().get(node.probe("get:true", "context"));
            // Embedded Jetty without a session-timeout reports 0 (its default max idle is -1 s), not 30.
            assertEquals("0", r.p("contextSessionTimeout"), r.toString());
        } finally {
            node.stop();
        }
    }

    /** A filter whose init always fails, naming a parameter. */
    public static final class FailingFilter implements Filter {
        @Override
        public void init(FilterConfig config) throws ServletException {
            throw new ServletException("init-param 'servers' is required");
        }

        @Override
        public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain)
                throws IOException, ServletException {
            chain.doFilter(req, resp);
        }
    }

    @Test
    void jettyNode_startThrowsWhenFilterInitFails() {
        JettyNode node = JettyNode.builder("failing").filter(FailingFilter.class).build();
        Exception e = assertThrows(Exception.class, node::start);
        assertTrue(ItSupport.messages(e).contains("servers"), ItSupport.messages(e));
    }
}
