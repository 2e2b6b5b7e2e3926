package io.memsession;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Values of JDK types handed out by {@code getAttribute} are compared with a pristine copy instead of
 * being encoded: a value only read costs no write, and every in-place change is still saved, including
 * after a mid-request save (when the copy no longer matches what is stored). Over a map store.
 */
class InPlaceChangeDetectionTest {

    private final InMemorySessionStore store = new InMemorySessionStore();
    private final AttributeCodec attributeCodec = new AttributeCodec(TypeAllowList.parse(null));
    private final SessionRepository repository = new SessionRepository(store, new SessionCodec(attributeCodec),
            new SessionServices(null, attributeCodec, SessionListeners.NONE, true), new SessionIds(new SecureRandom()),
            1800, Clock.systemUTC(), new SessionMetrics(), ExpiryWatch.DISABLED, ConcurrencyMode.MERGE);

    private static long now() {
        return System.currentTimeMillis();
    }

    private String storedProfile() {
        SharedSession session = repository.create(now());
        Map<String, Object> profile = new LinkedHashMap<>();
        profile.put("name", "Ann");
        profile.put("roles", new ArrayList<>(List.of("reader")));
        session.setAttribute("profile", profile);
        repository.save(session, false, now(), () -> null);
        return session.getId();
    }

    private SharedSession loaded(String id) {
        SharedSession session = repository.load(id).session();
        assertNotNull(session, "stored session");
        return session;
    }

    @SuppressWarnings("unchecked")
    private static List<String> roles(SharedSession session) {
        return (List<String>) ((Map<String, Object>) session.getAttribute("profile")).get("roles");
    }

    @Test
    void mapOnlyRead_isNotWritten() {
        String id = storedProfile();
        int writes = store.writes.get();
        SharedSession session = loaded(id);
        assertEquals(List.of("reader"), roles(session));
        repository.save(session, true, now(), () -> null);
        assertEquals(writes, store.writes.get(), "a value only read must cost no write");
    }

    @Test
    void nestedListChangedInPlace_isSaved() {
        String id = storedProfile();
        SharedSession session = loaded(id);
        roles(session).add("writer");
        repository.save(session, true, now(), () -> null);
        assertEquals(List.of("reader", "writer"), roles(loaded(id)));
    }

    @Test
    void changeUndoneAfterAMidRequestSave_isSavedToo() {
        String id = storedProfile();
        SharedSession session = loaded(id);
        List<String> roles = roles(session);
        roles.add("writer");
        repository.save(session, false, now(), () -> null); // e.g. the response committed early
        roles.remove("writer"); // back to what was loaded, but no longer to what is stored
        repository.save(session, true, now(), () -> null);
        assertEquals(List.of("reader"), roles(loaded(id)));
    }

    @Test
    void valueReadAgainInALaterRequest_afterAnotherRequestChangedIt_isNotWrittenBack() {
        String id = storedProfile();
        SharedSession reader = loaded(id);
        roles(reader);
        SharedSession writer = loaded(id);
        roles(writer).add("writer");
        repository.save(writer, true, now(), () -> null);
        repository.save(reader, true, now(), () -> null);
        assertEquals(List.of("reader", "writer"), roles(loaded(id)), "the reader's unchanged copy must not win");
    }
}
