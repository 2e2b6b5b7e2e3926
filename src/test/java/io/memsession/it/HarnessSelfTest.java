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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Checks the fixtures themselves, without the filter under test, so that a failure in
 * the suites can be trusted to be about the filter: memcached starts, counts and restarts; each container
 * serves the probe; the container-session counter really counts; a filter whose init throws makes
 * {@link ContainerNode#start()} throw; the webapp's session-timeout, cookie config, listeners, extra
 * servlets and error pages really reach the container.
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

    @ParameterizedTest
    @EnumSource(ContainerNode.Kind.class)
    void containerWithoutFilter_servesProbe_andCountsItsOwnSessions_andAppliesWebappSettings(ContainerNode.Kind kind)
            throws Exception {
        ContainerNode node = kind.builder("bare").filter(null).sessionTimeoutMinutes(7).cookieName("MYSESS").start();
        try {
            Browser browser = new Browser();
            Browser.Response plain = browser.get(node.url(ContainerNode.PLAIN));
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

    /** What each container reports as the session timeout when the webapp sets none. */
    @ParameterizedTest
    @CsvSource({"JETTY, 0", "TOMCAT, 30"})
    void containerDefaults_reportTheirOwnSessionTimeout_whenTheWebappSetsNone(ContainerNode.Kind kind,
            String reported) throws Exception {
        ContainerNode node = kind.builder("defaults").filter(null).start();
        try {
            Browser.Response r = new Browser().get(node.probe("get:true", "context"));
            // Embedded Jetty reports 0 (its default max idle is -1 s); Tomcat reports its default of 30.
            assertEquals(reported, r.p("contextSessionTimeout"), r.toString());
        } finally {
            node.stop();
        }
    }

    /**
     * The builder options the contract suite relies on really reach the container, proven with the
     * container's own session (no filter): a {@code <listener>} hears its sessions, the cookie config and
     * its attributes shape its cookie, extra servlets answer, an error page is dispatched.
     */
    @ParameterizedTest
    @EnumSource(ContainerNode.Kind.class)
    void builderOptions_reachTheContainer(ContainerNode.Kind kind) throws Exception {
        EventLog.clear();
        ContainerNode node = kind.builder("options").filter(null)
                .listener(DualRegisteredListener.class)
                .cookieConfig(c -> {
                    c.setName("OPTSESS");
                    c.setPath("/");
                    c.setAttribute("SameSite", "Strict");
                })
                .servlet("errorpage", ErrorPageServlet.class, false, "/errorpage")
                .servlet("static", PlainServlet.class, false, "/static/*", "*.css")
                .errorPage(409, "/errorpage")
                .start();
        try {
            Browser browser = new Browser();
            Browser.Response r = browser.get(node.probe("get:true", "id"));
            String id = r.p("id");
            assertEquals(1, EventLog.where(e -> e.type().equals("sessionCreated") && id.equals(e.sessionId())
                    && e.source().equals("DualRegisteredListener") && e.node().equals("options")).size(),
                    EventLog::dump);
            String cookie = r.setCookies("OPTSESS").get(0);
            assertTrue(cookie.contains("Path=/;") || cookie.endsWith("Path=/"), cookie);
            assertTrue(cookie.toLowerCase(java.util.Locale.ROOT).contains("samesite=strict"), cookie);
            assertEquals("ok", browser.get(node.url("/static/x.js")).p("plain"));
            assertEquals("ok", browser.get(node.url("/site.css")).p("plain"));
            Browser.Response error = browser.get(node.probe("error:409"));
            assertEquals(409, error.status(), error.toString());
            assertEquals("ERROR", error.p("errorpage.dispatcherType"), error.toString());
            assertEquals("409", error.p("errorpage.status"), error.toString());
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

    @ParameterizedTest
    @EnumSource(ContainerNode.Kind.class)
    void node_startThrowsWhenFilterInitFails(ContainerNode.Kind kind) {
        ContainerNode node = kind.builder("failing").filter(FailingFilter.class).build();
        Exception e = assertThrows(Exception.class, node::start);
        assertTrue(ItSupport.messages(e).contains("servers"), ItSupport.messages(e));
    }
}
