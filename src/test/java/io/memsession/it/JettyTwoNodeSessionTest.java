package io.memsession.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link AbstractTwoNodeSessionSuite} on two Jetty 12 (ee10) nodes, plus what only Jetty can set up. */
class JettyTwoNodeSessionTest extends AbstractTwoNodeSessionSuite {

    @Override
    protected ContainerNode.Kind kind() {
        return ContainerNode.Kind.JETTY;
    }

    /**
     * A context with no session manager of the container's own has no {@code SessionCookieConfig}:
     * the filter starts with its defaults and shares sessions with a normal node.
     */
    @Test
    void contextWithoutContainerSessions_startsWithDefaultCookie_andSharesSessions() throws Exception {
        ContainerNode bare = webapp("N", "/app").withoutContainerSessions().start();
        try {
            Browser.Response created = on(bare, "get:true", "set:who:string:bare");
            String cookie = created.setCookies("JSESSIONID").get(0);
            assertTrue(cookie.startsWith("JSESSIONID=" + created.p("id") + ";"), cookie);
            assertTrue(cookie.contains("HttpOnly"), cookie);
            assertTrue(cookie.contains("Path=/app"), cookie);
            assertTrue(cookie.contains("SameSite=Lax"), cookie);
            assertEquals("1800", on(bare, "get:false", "maxInactive").p("maxInactive"), "the 30-minute default");
            Browser.Response elsewhere = on(a, "get:false", "attr:who");
            assertEquals("bare", elsewhere.p("attr.who"), elsewhere::toString);
            assertEquals(created.p("id"), elsewhere.p("id"));
        } finally {
            bare.stop();
        }
    }
}
