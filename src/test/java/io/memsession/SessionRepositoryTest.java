package io.memsession;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The load / track / merge logic, over a map store. The memcached path is proven in the it package. */
class SessionRepositoryTest {

    private final InMemorySessionStore store = new InMemorySessionStore();
    private final AttributeCodec attributeCodec = new AttributeCodec(TypeAllowList.parse(null));
    private final SessionRepository repository = new SessionRepository(store, new SessionCodec(attributeCodec),
            new SessionServices(null, attributeCodec, SessionListeners.NONE, true), new SessionIds(new SecureRandom()),
            1800, Clock.systemUTC(), new SessionMetrics(), ExpiryWatch.DISABLED, ConcurrencyMode.MERGE);

    private static long now() {
        return System.currentTimeMillis();
    }

    private String storedSession() {
        SharedSession session = repository.create(now());
        session.setAttribute("a", "1");
        repository.save(session, false, now());
        return session.getId();
    }

    @Test
    void concurrentRequests_changingDifferentAttributes_bothSurvive() {
        String id = storedSession();
        SharedSession first = repository.load(id).orElseThrow();
        SharedSession second = repository.load(id).orElseThrow();
        first.setAttribute("x", 1L);
        second.setAttribute("y", 2L);
        second.removeAttribute("a");
        repository.save(first, true, now());
        repository.save(second, true, now());

        SharedSession after = repository.load(id).orElseThrow();
        assertEquals(1L, after.getAttribute("x"));
        assertEquals(2L, after.getAttribute("y"));
        assertNull(after.getAttribute("a"));
    }

    @Test
    void saveAfterConcurrentInvalidate_doesNotResurrectTheSession() {
        String id = storedSession();
        SharedSession writer = repository.load(id).orElseThrow();
        SharedSession invalidator = repository.load(id).orElseThrow();
        invalidator.invalidate();
        writer.setAttribute("x", "late");
        repository.save(writer, true, now());
        assertTrue(repository.load(id).isEmpty());
    }

    @Test
    void unchangedSession_isTouchedNotWritten() {
        String id = storedSession();
        int writesBefore = store.writes.get();
        SharedSession session = repository.load(id).orElseThrow();
        session.getAttribute("a");
        session.setAttribute("a", "1");
        repository.save(session, true, now());
        assertEquals(writesBefore, store.writes.get(), "an equal value set again must not be written");
        assertEquals(1, store.touches.get());
    }

    @Test
    void mutatedInPlace_isSaved() {
        SharedSession session = repository.create(now());
        session.setAttribute("list", new ArrayList<>(List.of("a")));
        repository.save(session, false, now());
        SharedSession next = repository.load(session.getId()).orElseThrow();
        @SuppressWarnings("unchecked")
        List<String> list = (List<String>) next.getAttribute("list");
        list.add("b");
        repository.save(next, true, now());
        assertEquals(List.of("a", "b"), repository.load(session.getId()).orElseThrow().getAttribute("list"));
    }

    @Test
    void changeId_movesAttributesAndDeletesTheOldId() {
        String id = storedSession();
        SharedSession session = repository.load(id).orElseThrow();
        session.setAttribute("b", "2");
        repository.changeId(session, now());
        assertNotEquals(id, session.getId());
        assertTrue(repository.load(id).isEmpty());
        SharedSession moved = repository.load(session.getId()).orElseThrow();
        assertEquals("1", moved.getAttribute("a"));
        assertEquals("2", moved.getAttribute("b"));
        assertFalse(moved.isNew());
    }
}
