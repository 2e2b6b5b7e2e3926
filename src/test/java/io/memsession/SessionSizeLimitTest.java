package io.memsession;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memsession.codecfixtures.CountingValue;
import io.memsession.store.StoredSession;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionBindingEvent;

import org.junit.jupiter.api.Test;

/**
 * setAttribute refuses a value that would take the session over the limit, in the request, at no encoding
 * cost far below it; what setAttribute cannot see (a change in place) is the save's refusal as before.
 */
class SessionSizeLimitTest {

    private static final int LIMIT = 4096;

    private final InMemorySessionStore store = new InMemorySessionStore();
    private final AttributeCodec attributeCodec = new AttributeCodec(
            TypeAllowList.parse("io.memsession.codecfixtures.CountingValue"));
    private final SessionMetrics metrics = new SessionMetrics();

    private SessionRepository repository(DocumentCompression compression) {
        return new SessionRepository(store, new SessionCodec(attributeCodec, compression),
                new SessionServices(null, attributeCodec, SessionListeners.NONE, true,
                        new SessionSizeLimit(LIMIT, compression)),
                new SessionIds(new SecureRandom()), 1800, Clock.systemUTC(), metrics, ExpiryWatch.DISABLED,
                ConcurrencyMode.MERGE, LIMIT, new DecodedSessionCache(0));
    }

    private final SessionRepository repository = repository(DocumentCompression.OFF);

    private String stored(String name, Object value) {
        SharedSession session = repository.create(System.currentTimeMillis());
        session.setAttribute(name, value);
        assertEquals(SessionRepository.SaveResult.WRITTEN, save(repository, session));
        return session.getId();
    }

    private static SessionRepository.SaveResult save(SessionRepository repository, SharedSession session) {
        return repository.save(session, true, System.currentTimeMillis(), () -> null);
    }

    private byte[] document(String id) {
        return store.load(id).map(StoredSession::document).orElseThrow();
    }

    @Test
    void setAttributeOverTheLimit_throwsIllegalStateException_andLeavesTheSessionAsItWas() {
        String id = stored("fits", "x".repeat(3000));
        byte[] before = document(id);
        SharedSession session = repository.load(id).session();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> session.setAttribute("big", "y".repeat(2000)));
        assertTrue(e.getMessage().contains("maxSessionBytes (4096)"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> session.setAttribute("fits", "z".repeat(5000)));
        assertNull(session.getAttribute("big"));
        assertEquals("x".repeat(3000), session.getAttribute("fits"));
        assertEquals(List.of("fits"), Collections.list(session.getAttributeNames()));
        session.setAttribute("small", "ok");
        assertEquals(SessionRepository.SaveResult.WRITTEN, save(repository, session), "the rest is saved");
        assertEquals(0, metrics.oversizedSaves());
        assertTrue(document(id).length > before.length);
        assertEquals("ok", repository.load(id).session().getAttribute("small"));
    }

    @Test
    void refusedSetAttribute_firesNoAttributeEvent() {
        List<String> events = new ArrayList<>();
        HttpSessionAttributeListener listener = new HttpSessionAttributeListener() {
            @Override
            public void attributeAdded(HttpSessionBindingEvent event) {
                events.add("added " + event.getName());
            }

            @Override
            public void attributeReplaced(HttpSessionBindingEvent event) {
                events.add("replaced " + event.getName());
            }
        };
        SessionRepository listened = new SessionRepository(store, new SessionCodec(attributeCodec),
                new SessionServices(null, attributeCodec, new SessionListeners(List.of(listener)), true,
                        new SessionSizeLimit(LIMIT, DocumentCompression.OFF)),
                new SessionIds(new SecureRandom()), 1800, Clock.systemUTC(), metrics, ExpiryWatch.DISABLED,
                ConcurrencyMode.MERGE, LIMIT, new DecodedSessionCache(0));
        SharedSession session = listened.create(System.currentTimeMillis());
        session.setAttribute("fits", "x".repeat(3000));
        assertThrows(IllegalStateException.class, () -> session.setAttribute("big", "y".repeat(2000)));
        assertThrows(IllegalStateException.class, () -> session.setAttribute("fits", "z".repeat(5000)));
        assertEquals(List.of("added fits"), events);
    }

    @Test
    void valueOverTheLimitByItself_isRefused_inANewSession() {
        SharedSession session = repository.create(System.currentTimeMillis());
        assertThrows(IllegalStateException.class, () -> session.setAttribute("big", new byte[4000]));
        assertThrows(IllegalStateException.class, () -> session.setAttribute("big", "a".repeat(4100)));
        session.setAttribute("fine", new byte[1000]);
    }

    @Test
    void farBelowTheLimit_setAttributeEncodesNothing_nearItTheValueIsEncodedOnce() {
        String id = stored("n", 1);
        SharedSession small = repository.load(id).session();
        int before = CountingValue.SERIALIZATIONS.get();
        small.setAttribute("value", new CountingValue("far"));
        assertEquals(before, CountingValue.SERIALIZATIONS.get(), "no encoding far below the limit");
        save(repository, small);
        assertEquals(before + 1, CountingValue.SERIALIZATIONS.get(), "encoded once, by the save");

        String nearId = stored("fits", "x".repeat(3000));
        SharedSession near = repository.load(nearId).session();
        int nearBefore = CountingValue.SERIALIZATIONS.get();
        near.setAttribute("value", new CountingValue("near"));
        assertEquals(nearBefore + 1, CountingValue.SERIALIZATIONS.get(), "near the limit setAttribute encodes it");
    }

    @Test
    void growthInPlace_thatSetAttributeCannotSee_isARefusedSave_thatKeepsTheStoredCopy() {
        String id = stored("list", new ArrayList<>(List.of("a")));
        byte[] before = document(id);
        SharedSession session = repository.load(id).session();
        @SuppressWarnings("unchecked")
        List<String> list = (List<String>) session.getAttribute("list");
        list.add("x".repeat(5000));
        session.setAttribute("other", "fine");
        assertEquals(SessionRepository.SaveResult.FAILED, save(repository, session));
        assertEquals(1, metrics.oversizedSaves());
        assertEquals(new String(before, US_ASCII), new String(document(id), US_ASCII));
    }

    @Test
    void valueShrunkInPlace_makesRoom_forANewValue() {
        String id = stored("list", new ArrayList<>(List.of("x".repeat(3000))));
        SharedSession session = repository.load(id).session();
        ((List<?>) session.getAttribute("list")).clear();
        session.setAttribute("big", "y".repeat(3000));
        assertEquals(SessionRepository.SaveResult.WRITTEN, save(repository, session));
    }

    @Test
    void withCompression_aSessionOverTheLimitUncompressed_fitsCompressed_andOnlyTheInflateLimitIsCertain() {
        SessionRepository compressing = repository(new DocumentCompression(1024));
        SharedSession session = compressing.create(System.currentTimeMillis());
        session.setAttribute("big", "x".repeat(20_000));
        assertEquals(SessionRepository.SaveResult.WRITTEN, save(compressing, session));
        byte[] stored = document(session.getId());
        assertTrue(stored.length < LIMIT && DocumentCompression.isCompressed(stored), stored.length + " bytes");
        assertEquals("x".repeat(20_000), repository.load(session.getId()).session().getAttribute("big"),
                "read by a repository that does not compress");
        SharedSession again = compressing.load(session.getId()).session();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> again.setAttribute("huge", "y".repeat(DocumentCompression.MAX_INFLATED_BYTES)));
        assertTrue(e.getMessage().contains("the most any node inflates"), e.getMessage());
    }
}
