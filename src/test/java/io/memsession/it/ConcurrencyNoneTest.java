package io.memsession.it;

import static io.memsession.it.ConcurrencyNodes.background;
import static io.memsession.it.ConcurrencyNodes.createSession;
import static io.memsession.it.ConcurrencyNodes.documentKey;
import static io.memsession.it.ConcurrencyNodes.join;
import static io.memsession.it.ConcurrencyNodes.ok;
import static io.memsession.it.ConcurrencyNodes.parallel;
import static io.memsession.it.ConcurrencyNodes.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@code concurrency=none} with two real nodes on one real memcached: sessions are shared as usual, the last
 * request to save overwrites the whole session (so forced overlaps do lose changes), and an invalidated session
 * is never written back.
 */
class ConcurrencyNoneTest extends AbstractConcurrencyTest {

    private static final Map<String, String> NONE = Map.of("concurrency", "none");

    @Test
    void sessionIsShared_changesOnEitherNodeSeenOnTheOther() throws Exception {
        try (ConcurrencyNodes nodes = ConcurrencyNodes.start(memcached, NONE)) {
            Browser browser = new Browser();
            createSession(browser, nodes.a, "set:x:1");
            assertEquals("1", ok(browser, nodes.b, "session", "read:x").p("attr.x"));
            ok(browser, nodes.b, "session", "set:y:2", "interval:600");
            Browser.Response onA = ok(browser, nodes.a, "session", "dump");
            assertEquals("x,y", onA.p("names"));
            assertEquals("600", onA.p("maxInactive"));
        }
    }

    /** Two requests that loaded the same version save different attributes: the later overwrite wins whole. */
    @Test
    void overlappingSavesOfDifferentAttributes_lastWriterWins() throws Exception {
        try (ConcurrencyNodes nodes = ConcurrencyNodes.start(memcached, NONE)) {
            Browser browser = new Browser();
            createSession(browser, nodes.a, "set:base:0");
            ConcurrencyServlet.armGate("loaded", 2);

            List<Browser.Response> answers = parallel(2, i -> browser.get(url(i == 0 ? nodes.a : nodes.b,
                    "session", "gate:loaded", "set:k" + i + ":v")));

            answers.forEach(r -> assertEquals(200, r.status(), r::toString));
            String names = ok(browser, nodes.b, "session", "dump").p("names");
            assertTrue(Set.of("base,k0", "base,k1").contains(names),
                    "exactly one of the two overlapping changes survives, but the session holds " + names);
        }
    }

    @Test
    void saveAfterAConcurrentInvalidate_neverBringsTheSessionBack() throws Exception {
        try (ConcurrencyNodes nodes = ConcurrencyNodes.start(memcached, NONE)) {
            Browser browser = new Browser();
            String id = createSession(browser, nodes.a, "set:base:0");
            ConcurrencyServlet.armHold("late");
            CompletableFuture<Browser.Response> late = background(() -> browser.get(url(nodes.b,
                    "session", "set:late:v", "reach:loaded", "hold:late")));
            ItSupport.pollUntil(Duration.ofSeconds(10), "late request loaded the session",
                    () -> ConcurrencyServlet.reached("loaded") == 1);

            assertEquals("yes", ok(browser, nodes.a, "session", "invalidate").p("invalidated"));
            ConcurrencyServlet.release("late");
            Browser.Response r = join(late);

            assertEquals(200, r.status(), r::toString);
            assertEquals("present", r.p("session"));
            assertNull(memcached.rawGet(documentKey(id)), "the late save wrote the invalidated session back");
            assertEquals("null", ok(browser, nodes.a, "session").p("session"));
            assertEquals("null", ok(browser, nodes.b, "session").p("session"));
        }
    }
}
