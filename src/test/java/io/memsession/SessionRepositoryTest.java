package io.memsession;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The load / track / merge logic, over a map store. The memcached path is proven in the it package. */
class SessionRepositoryTest {

    private final InMemorySessionStore store = new InMemorySessionStore();
    private final AttributeCodec attributeCodec = new AttributeCodec(TypeAllowList.parse(null));
    private final SessionMetrics metrics = new SessionMetrics();
    private final SessionRepository repository = new SessionRepository(store, new SessionCodec(attributeCodec),
            new SessionServices(null, attributeCodec, SessionListeners.NONE, true), new SessionIds(new SecureRandom()),
            1800, Clock.systemUTC(), metrics, ExpiryWatch.DISABLED, ConcurrencyMode.MERGE);

    private static long now() {
        return System.currentTimeMillis();
    }

    private SharedSession loaded(String id) {
        SharedSession session = repository.load(id).session();
        assertNotNull(session, "stored session " + id);
        return session;
    }

    private String storedSession() {
        SharedSession session = repository.create(now());
        session.setAttribute("a", "1");
        repository.save(session, false, now(), () -> null);
        return session.getId();
    }

    @Test
    void concurrentRequests_changingDifferentAttributes_bothSurvive() {
        String id = storedSession();
        SharedSession first = loaded(id);
        SharedSession second = loaded(id);
        first.setAttribute("x", 1L);
        second.setAttribute("y", 2L);
        second.removeAttribute("a");
        repository.save(first, true, now(), () -> null);
        repository.save(second, true, now(), () -> null);

        SharedSession after = loaded(id);
        assertEquals(1L, after.getAttribute("x"));
        assertEquals(2L, after.getAttribute("y"));
        assertNull(after.getAttribute("a"));
    }

    @Test
    void saveAfterConcurrentInvalidate_doesNotResurrectTheSession() {
        String id = storedSession();
        SharedSession writer = loaded(id);
        SharedSession invalidator = loaded(id);
        invalidator.invalidate();
        writer.setAttribute("x", "late");
        repository.save(writer, true, now(), () -> null);
        assertNull(repository.load(id).session());
    }

    @Test
    void unchangedSession_isTouchedNotWritten() {
        String id = storedSession();
        int writesBefore = store.writes.get();
        SharedSession session = loaded(id);
        session.getAttribute("a");
        session.setAttribute("a", "1");
        repository.save(session, true, now(), () -> null);
        assertEquals(writesBefore, store.writes.get(), "an equal value set again must not be written");
        assertEquals(1, store.touches.get());
    }

    @Test
    void loads_areCountedWithTheTimeTheStoreTook() {
        String id = storedSession();
        store.loadLatencyNanos = TimeUnit.MILLISECONDS.toNanos(3);
        long loadsBefore = metrics.loads();
        long nanosBefore = metrics.loadNanos();
        loaded(id);
        repository.load("y".repeat(32));
        assertEquals(loadsBefore + 2, metrics.loads(), "a hit and a miss are both loads");
        long spent = metrics.loadNanos() - nanosBefore;
        assertTrue(spent >= TimeUnit.MILLISECONDS.toNanos(6), "two 3 ms loads took " + spent + " ns");
    }

    @Test
    void mutatedInPlace_isSaved() {
        SharedSession session = repository.create(now());
        session.setAttribute("list", new ArrayList<>(List.of("a")));
        repository.save(session, false, now(), () -> null);
        SharedSession next = loaded(session.getId());
        @SuppressWarnings("unchecked")
        List<String> list = (List<String>) next.getAttribute("list");
        list.add("b");
        repository.save(next, true, now(), () -> null);
        assertEquals(List.of("a", "b"), loaded(session.getId()).getAttribute("list"));
    }

    @Test
    void changeId_movesAttributesAndDeletesTheOldId() {
        String id = storedSession();
        SharedSession session = loaded(id);
        session.setAttribute("b", "2");
        repository.changeId(session, now());
        assertNotEquals(id, session.getId());
        assertNull(repository.load(id).session());
        SharedSession moved = loaded(session.getId());
        assertEquals("1", moved.getAttribute("a"));
        assertEquals("2", moved.getAttribute("b"));
        assertFalse(moved.isNew());
    }

    @Test
    void storeThatDoesNotAnswer_isUnavailable_notAbsent() {
        String id = storedSession();
        store.failing.add("load");
        SessionRepository.Lookup lookup = repository.load(id);
        assertTrue(lookup.storeUnavailable());
        assertNull(lookup.session());
        store.failing.clear();
        assertEquals("1", loaded(id).getAttribute("a"), "the session is still there once the store answers");
    }

    @Test
    void detachedSession_isNeverStored() {
        SharedSession detached = repository.createDetached("x".repeat(32), now());
        detached.setAttribute("a", "1");
        assertEquals(SessionRepository.SaveResult.NOTHING, repository.save(detached, true, now(), () -> null));
        assertNull(repository.load("x".repeat(32)).session());
    }

    @Test
    void valueSetBeforeAMidRequestSave_andChangedAfterIt_isSaved() {
        SharedSession session = repository.create(now());
        List<String> cart = new ArrayList<>(List.of("a"));
        session.setAttribute("cart", cart);
        repository.save(session, false, now(), () -> null);
        cart.add("b");
        repository.save(session, true, now(), () -> null);
        assertEquals(List.of("a", "b"), loaded(session.getId()).getAttribute("cart"));
    }

    @Test
    void changeId_ofASessionDeletedElsewhere_throws_andDoesNotBringItBack() {
        String id = storedSession();
        SharedSession session = loaded(id);
        store.delete(id);
        assertThrows(IllegalStateException.class, () -> repository.changeId(session, now()));
        assertNull(repository.load(id).session());
        assertFalse(session.isValid());
    }

    @Test
    void changeId_writesOnlyUnderTheNewId() {
        String id = storedSession();
        SharedSession session = loaded(id);
        int writesBefore = store.writes.get();
        repository.changeId(session, now());
        assertNotEquals(id, session.getId());
        assertEquals(writesBefore + 1, store.writes.get(), "one add under the new id, none under the old");
    }

    @Test
    void firstAddThatLandedDespiteATimeout_isContinuedAsAnUpdate_underTheSameId() {
        SharedSession session = repository.create(now());
        String id = session.getId();
        session.setAttribute("a", "1");
        store.failingAfterwards.add("create");
        repository.save(session, false, now(), () -> null);
        session.setAttribute("b", "2");
        repository.save(session, true, now(), () -> null);
        assertEquals(id, session.getId(), "the id the cookie carries is kept");
        SharedSession stored = loaded(id);
        assertEquals("1", stored.getAttribute("a"));
        assertEquals("2", stored.getAttribute("b"));
    }

    @Test
    void invalidate_whoseDeleteFails_announcesNothing_andTheStoreKeepsTheSession() {
        List<String> events = new ArrayList<>();
        SessionRepository withListener = new SessionRepository(store, new SessionCodec(attributeCodec),
                new SessionServices(null, attributeCodec, new SessionListeners(List.of(new RecordingListener(events))),
                        true), new SessionIds(new SecureRandom()), 1800, Clock.systemUTC(), new SessionMetrics(),
                new ExpiryWatch(10), ConcurrencyMode.MERGE);
        String id = storedSession();
        SharedSession session = withListener.load(id).session();
        store.failing.add("delete");
        session.invalidate();
        assertFalse(session.isValid());
        assertEquals(List.of(), events, "no sessionDestroyed for a session that still exists");
        store.failing.clear();
        assertNotNull(withListener.load(id).session());
    }

    @Test
    void listenerThatThrowsInSessionDestroyed_doesNotKeepTheSessionAlive() {
        SessionRepository withListener = new SessionRepository(store, new SessionCodec(attributeCodec),
                new SessionServices(null, attributeCodec, new SessionListeners(List.of(new ThrowingListener())), true),
                new SessionIds(new SecureRandom()), 1800, Clock.systemUTC(), new SessionMetrics(), new ExpiryWatch(10),
                ConcurrencyMode.MERGE);
        String id = storedSession();
        withListener.load(id).session().invalidate();
        assertNull(withListener.load(id).session());
    }

    private record RecordingListener(List<String> events) implements jakarta.servlet.http.HttpSessionListener {
        @Override
        public void sessionDestroyed(jakarta.servlet.http.HttpSessionEvent event) {
            events.add("destroyed " + event.getSession().getId());
        }
    }

    private static final class ThrowingListener implements jakarta.servlet.http.HttpSessionListener {
        @Override
        public void sessionDestroyed(jakarta.servlet.http.HttpSessionEvent event) {
            throw new IllegalStateException("listener failure");
        }
    }
}
