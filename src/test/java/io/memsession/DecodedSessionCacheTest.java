package io.memsession;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The node-local cache of decoded sessions, through the repository over a map store: reused only for
 * the exact stored bytes, never handing one request's mutable value to another, bounded. (The two-node
 * suites run with it on by default against real memcached.)
 */
class DecodedSessionCacheTest {

    private final InMemorySessionStore store = new InMemorySessionStore();
    private final AttributeCodec attributeCodec = new AttributeCodec(TypeAllowList.parse(null));
    private final SessionRepository nodeA = node(new DecodedSessionCache(100));
    private final SessionRepository nodeB = node(new DecodedSessionCache(100));

    private SessionRepository node(DecodedSessionCache cache) {
        return new SessionRepository(store, new SessionCodec(attributeCodec),
                new SessionServices(null, attributeCodec, SessionListeners.NONE, true), new SessionIds(new SecureRandom()),
                1800, Clock.systemUTC(), new SessionMetrics(), ExpiryWatch.DISABLED, ConcurrencyMode.MERGE,
                SessionRepository.MAX_DOCUMENT_BYTES, cache);
    }

    private static long now() {
        return System.currentTimeMillis();
    }

    private static SharedSession loaded(SessionRepository node, String id) {
        SharedSession session = node.load(id).session();
        assertNotNull(session, "stored session " + id);
        return session;
    }

    private String storedSession(SessionRepository node) {
        SharedSession session = node.create(now());
        session.setAttribute("name", "alice");
        session.setAttribute("cart", new ArrayList<>(List.of("book")));
        node.save(session, false, now(), () -> null);
        return session.getId();
    }

    @Test
    void anUnchangedSession_isNotDecodedAgain_butEachLoadGetsItsOwnMutableValues() {
        String id = storedSession(nodeA);
        SharedSession first = loaded(nodeA, id);
        SharedSession second = loaded(nodeA, id);
        assertSame(first.getAttribute("name"), second.getAttribute("name"),
                "an immutable value of an unchanged session is reused, not decoded again");
        assertNotSame(first.getAttribute("cart"), second.getAttribute("cart"));

        @SuppressWarnings("unchecked")
        List<String> cart = (List<String>) first.getAttribute("cart");
        cart.add("pen"); // changed in place by one request that is never saved (it failed, say)
        first.discard();
        assertEquals(List.of("book"), loaded(nodeA, id).getAttribute("cart"),
                "another request's unsaved in-place change leaked through the cache");
    }

    @Test
    void aValueFromTheCache_changedInPlace_isSaved() {
        String id = storedSession(nodeA);
        loaded(nodeA, id);
        SharedSession hit = loaded(nodeA, id);
        @SuppressWarnings("unchecked")
        List<String> cart = (List<String>) hit.getAttribute("cart");
        cart.add("pen");
        nodeA.save(hit, true, now(), () -> null);
        assertEquals(List.of("book", "pen"), loaded(nodeB, id).getAttribute("cart"));
        assertEquals(List.of("book", "pen"), loaded(nodeA, id).getAttribute("cart"));
    }

    @Test
    void aChangeMadeOnAnotherNode_isReadThere_neverTheCachedCopy() {
        String id = storedSession(nodeA);
        Object before = loaded(nodeA, id).getAttribute("name");

        SharedSession onB = loaded(nodeB, id);
        onB.setAttribute("name", "bob");
        nodeB.save(onB, true, now(), () -> null);

        SharedSession again = loaded(nodeA, id);
        assertEquals("bob", again.getAttribute("name"));
        assertNotSame(before, again.getAttribute("name"));
    }

    @Test
    void aSaveOnThisNode_keepsTheDecodedValuesOfTheAttributesItDidNotChange() {
        String id = storedSession(nodeA);
        SharedSession reader = loaded(nodeA, id);
        Object name = reader.getAttribute("name");
        reader.setAttribute("visits", 1);
        nodeA.save(reader, true, now(), () -> null);

        SharedSession next = loaded(nodeA, id);
        assertSame(name, next.getAttribute("name"));
        assertEquals(1, next.getAttribute("visits"));
        assertEquals(List.of("book"), next.getAttribute("cart"));
    }

    @Test
    void anInvalidatedSession_isForgotten() {
        DecodedSessionCache cache = new DecodedSessionCache(100);
        SessionRepository node = node(cache);
        String id = storedSession(node);
        loaded(node, id);
        assertEquals(1, cache.size());
        loaded(node, id).invalidate();
        assertEquals(0, cache.size());
        assertNull(node.load(id).session());
    }

    @Test
    void theCache_staysWithinItsCapacity() {
        DecodedSessionCache cache = new DecodedSessionCache(5);
        SessionRepository node = node(cache);
        for (int i = 0; i < 50; i++) {
            loaded(node, storedSession(node));
            assertTrue(cache.size() <= 5, "entries: " + cache.size());
        }
    }
}
