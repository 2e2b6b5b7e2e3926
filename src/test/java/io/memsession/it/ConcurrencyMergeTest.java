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

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@code concurrency=merge} (the default) with two real nodes on one real memcached: requests of one session
 * that overlap are forced to overlap (every one has loaded the same stored version before any saves), so a
 * last-writer-wins save would lose all but one of them.
 */
class ConcurrencyMergeTest extends AbstractConcurrencyTest {

    private static final Map<String, String> MERGE = Map.of("concurrency", "merge");
    private static final int BURST = 40;

    /** The burst the feature is specified for: 40 overlapping requests, 20 on each node. */
    @Test
    void fortyOverlappingRequestsOnBothNodes_eachSettingItsOwnAttribute_allSurvive() throws Exception {
        overlappingRequestsEachSettingItsOwnAttribute_allSurvive(BURST);
    }

    /**
     * Eight overlapping writers: each failed compare-and-set of a save means another save succeeded in
     * between, so with seven others no save can need more than the eight attempts the repository allows.
     */
    @Test
    void eightOverlappingRequestsOnBothNodes_eachSettingItsOwnAttribute_allSurvive() throws Exception {
        overlappingRequestsEachSettingItsOwnAttribute_allSurvive(8);
    }

    private void overlappingRequestsEachSettingItsOwnAttribute_allSurvive(int n) throws Exception {
        try (ConcurrencyNodes nodes = ConcurrencyNodes.start(memcached, MERGE)) {
            Browser browser = new Browser();
            String id = createSession(browser, nodes.a, "set:base:0");
            ConcurrencyServlet.armGate("loaded", n);

            // all load the same version, then all save at once; request 0 also changes the interval
            List<Browser.Response> answers = parallel(n, i -> browser.get(url(i % 2 == 0 ? nodes.a : nodes.b,
                    "session", "gate:loaded", "set:k" + i + ":v" + i, i == 0 ? "interval:4321" : "read:base")));

            for (Browser.Response r : answers) {
                assertEquals(200, r.status(), r::toString);
                assertEquals(id, r.p("id"), "every request used the one session");
            }
            TreeSet<String> expected = new TreeSet<>(List.of("base"));
            for (int i = 0; i < n; i++) {
                expected.add("k" + i);
            }
            for (ContainerNode node : List.of(nodes.a, nodes.b)) {
                Browser.Response dump = ok(browser, node, "session", "dump");
                TreeSet<String> missing = new TreeSet<>(expected);
                missing.removeAll(List.of(dump.p("names").split(",")));
                assertEquals(Set.of(), missing,
                        () -> "attributes missing on " + node.name() + " after " + n + " overlapping saves");
                for (int i = 0; i < n; i++) {
                    assertEquals("v" + i, dump.p("attr.k" + i));
                }
                assertEquals(String.join(",", expected), dump.p("names"));
                assertEquals("4321", dump.p("maxInactive"), "setMaxInactiveInterval merged with the others");
            }
        }
    }

    /**
     * What merge does not promise (docs/concurrency.md): a read-modify-write of one attribute that overlaps
     * another. All requests read 0 before any saves, so the counter ends at 1; lock mode is the cure
     * ({@link ConcurrencyLockTest}).
     */
    @Test
    void overlappingReadModifyWrites_ofOneAttribute_loseIncrements() throws Exception {
        try (ConcurrencyNodes nodes = ConcurrencyNodes.start(memcached, MERGE)) {
            Browser browser = new Browser();
            createSession(browser, nodes.a, "set:base:0");
            int n = 6;
            ConcurrencyServlet.armGate("loaded", n);

            List<Browser.Response> answers = parallel(n, i -> browser.get(url(i % 2 == 0 ? nodes.a : nodes.b,
                    "session", "gate:loaded", "incr:count:0")));

            for (Browser.Response r : answers) {
                assertEquals(200, r.status(), r::toString);
                assertEquals("0", r.p("read.count"));
            }
            assertEquals("1", ok(browser, nodes.b, "session", "read:count").p("attr.count"));
        }
    }

    /**
     * One request invalidates while others, on both nodes, are mid-request with changes: saves that landed
     * before it are merged (the invalidating request sees them all), saves that come after it find no
     * document and write nothing, so the session stays gone everywhere.
     */
    @Test
    void invalidateRacingWithSaves_neverUndone_andEarlierSavesMerged() throws Exception {
        try (ConcurrencyNodes nodes = ConcurrencyNodes.start(memcached, MERGE)) {
            Browser browser = new Browser();
            String id = createSession(browser, nodes.a, "set:base:0");
            int late = 6;
            int early = 4;
            ConcurrencyServlet.armHold("late");
            ConcurrencyServlet.armGate("early", early);

            List<CompletableFuture<Browser.Response>> lateRequests = new ArrayList<>();
            for (int i = 0; i < late; i++) {
                ContainerNode node = i % 2 == 0 ? nodes.a : nodes.b;
                String[] ops = i == late - 1
                        // one of them only reads: an unchanged session is touched, never rewritten
                        ? new String[] {"session", "reach:loaded", "hold:late", "read:base"}
                        : new String[] {"session", "set:late" + i + ":v", "interval:999", "reach:loaded",
                            "hold:late", "set:again" + i + ":v"};
                lateRequests.add(background(() -> browser.get(url(node, ops))));
            }
            ItSupport.pollUntil(Duration.ofSeconds(10), "late requests loaded the session",
                    () -> ConcurrencyServlet.reached("loaded") == late);

            List<Browser.Response> earlyAnswers = parallel(early, i -> browser.get(url(i % 2 == 0 ? nodes.a : nodes.b,
                    "session", "gate:early", "set:early" + i + ":v")));
            earlyAnswers.forEach(r -> assertEquals(200, r.status(), r::toString));

            Browser.Response invalidated = ok(browser, nodes.b, "session", "dump", "invalidate");
            assertEquals("base,early0,early1,early2,early3", invalidated.p("names"),
                    "the overlapping saves before the invalidation were all merged");
            assertEquals("yes", invalidated.p("invalidated"));
            assertNull(memcached.rawGet(documentKey(id)), "invalidate deletes the document at once");

            ConcurrencyServlet.release("late");
            for (CompletableFuture<Browser.Response> pending : lateRequests) {
                Browser.Response r = join(pending);
                assertEquals(200, r.status(), r::toString);
                assertEquals("present", r.p("session"), "the late request had loaded the session");
            }

            assertNull(memcached.rawGet(documentKey(id)), "no save brought the invalidated session back");
            assertEquals("null", ok(browser, nodes.a, "session").p("session"), "gone on A");
            assertEquals("null", ok(browser, nodes.b, "session").p("session"), "gone on B");
            assertNull(memcached.rawGet(documentKey(id)));
        }
    }
}
