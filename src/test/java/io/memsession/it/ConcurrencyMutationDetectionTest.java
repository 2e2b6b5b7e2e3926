package io.memsession.it;

import static io.memsession.it.ConcurrencyNodes.createSession;
import static io.memsession.it.ConcurrencyNodes.documentKey;
import static io.memsession.it.ConcurrencyNodes.ok;
import static io.memsession.it.ConcurrencyNodes.parallel;
import static io.memsession.it.ConcurrencyNodes.url;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code mutationDetection} with two real nodes on one real memcached: a {@code List} read with getAttribute
 * and changed in place is saved by default ({@code compare}), even while another request changes another
 * attribute at the same time; with {@code setAttribute} it is not; a session only read costs no document
 * write in either mode.
 */
class ConcurrencyMutationDetectionTest extends AbstractConcurrencyTest {

    @Test
    void compare_default_listChangedInPlaceOnA_isVisibleOnB_besideAConcurrentChange() throws Exception {
        try (ConcurrencyNodes nodes = ConcurrencyNodes.start(memcached, Map.of())) {
            Browser browser = new Browser();
            String id = createSession(browser, nodes.a, "newlist:list:a");
            ConcurrencyServlet.armGate("loaded", 2);

            List<Browser.Response> answers = parallel(2, i -> browser.get(i == 0
                    ? url(nodes.a, "session", "gate:loaded", "append:list:b")
                    : url(nodes.b, "session", "gate:loaded", "set:other:o")));

            answers.forEach(r -> assertEquals(200, r.status(), r::toString));
            Browser.Response onB = ok(browser, nodes.b, "session", "read:list", "read:other");
            assertEquals("[a, b]", onB.p("attr.list"), "the in-place change made on A");
            assertEquals("o", onB.p("attr.other"), "the concurrent change made on B");

            MemcachedProcess.Item before = memcached.rawItem(documentKey(id));
            assertNotNull(before);
            assertEquals("[a, b]", ok(browser, nodes.a, "session", "read:list").p("attr.list"));
            assertUnchanged(before, memcached.rawItem(documentKey(id)), "a list read but not changed");
        }
    }

    @Test
    void setAttributeOnly_listChangedInPlace_isNotSaved_andCostsNoWrite() throws Exception {
        try (ConcurrencyNodes nodes = ConcurrencyNodes.start(memcached, Map.of("mutationDetection", "setAttribute"))) {
            Browser browser = new Browser();
            String id = createSession(browser, nodes.a, "newlist:list:a");
            MemcachedProcess.Item before = memcached.rawItem(documentKey(id));
            assertNotNull(before);

            Browser.Response changed = ok(browser, nodes.a, "session", "append:list:b", "read:list");
            assertEquals("[a, b]", changed.p("attr.list"), "the request itself sees its in-place change");
            assertUnchanged(before, memcached.rawItem(documentKey(id)), "an in-place change without setAttribute");
            assertEquals("[a]", ok(browser, nodes.b, "session", "read:list").p("attr.list"));
            assertUnchanged(before, memcached.rawItem(documentKey(id)), "a session only read");

            ok(browser, nodes.a, "session", "newlist:list:c");
            assertEquals("[c]", ok(browser, nodes.b, "session", "read:list").p("attr.list"), "setAttribute counts");
        }
    }

    private static void assertUnchanged(MemcachedProcess.Item before, MemcachedProcess.Item after, String what) {
        assertNotNull(after);
        assertEquals(before.cas(), after.cas(), what + " rewrote the document");
        assertArrayEquals(before.data(), after.data(), what + " changed the document");
    }
}
