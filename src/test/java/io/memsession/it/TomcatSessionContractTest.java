package io.memsession.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link AbstractSessionContractSuite} on embedded Tomcat 11 nodes, plus what only a Servlet 6.1 container
 * can show.
 */
class TomcatSessionContractTest extends AbstractSessionContractSuite {

    @Override
    protected ContainerNode.Kind kind() {
        return ContainerNode.Kind.TOMCAT;
    }

    /**
     * Servlet 6.1 added {@code sendRedirect(location, status)} (and {@code (location, clearBuffer)},
     * {@code (location, status, clearBuffer)}). A redirect commits the response whichever overload the
     * application calls, so the session must be saved before it: B, asked while the redirecting servlet is
     * still held inside the filter chain, must already see the change.
     */
    @Test
    void servlet61RedirectOverload_savesTheSessionBeforeTheResponseIsCommitted() throws Exception {
        create(a, "set:cart:string:empty");
        String hold = "tomcat-redirect303";
        ProbeServlet.arm(hold);
        CompletableFuture<HttpResponse<InputStream>> pending;
        ProbeServlet.Holding holding;
        Browser.Response seen;
        try {
            pending = browser.getStreaming(
                    a.probe("get:false", "set:cart:string:full", "redirectStatus:303:/app/next", "hold:" + hold));
            holding = ProbeServlet.awaitHolding(hold, 10_000);
            seen = on(b, "get:false", "attr:cart");
        } finally {
            ProbeServlet.release(hold);
        }
        HttpResponse<InputStream> head = pending.get(10, TimeUnit.SECONDS);
        assertTrue(holding.committed(), "sendRedirect committed the response");
        Browser.Response redirect = Browser.finish(head);
        assertEquals(303, redirect.status(), redirect::toString);
        assertTrue(redirect.header("location").get(0).endsWith("/app/next"), redirect::toString);
        assertEquals("full", seen.p("attr.cart"), () -> "saved before the 303 was sent: " + seen);
    }
}
