package io.memsession;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class SessionIdsTest {

    private final SessionIds ids = new SessionIds(new SecureRandom());

    @Test
    void newIds_areWellFormedUrlSafeAndDistinct() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = ids.newId();
            assertEquals(SessionIds.ID_LENGTH, id.length());
            assertTrue(id.matches("[A-Za-z0-9_-]{32}"), id);
            assertTrue(SessionIds.isWellFormed(id));
            assertTrue(seen.add(id), "duplicate id " + id);
        }
    }

    @Test
    void malformedValues_areRejectedBeforeAnyLookup() {
        String valid = ids.newId();
        String[] bad = {null, "", "x flush_all noreply", valid + "x", valid.substring(1), valid.substring(1) + " ",
                valid.substring(1) + "\n", valid.substring(1) + "é", valid.substring(1) + "=", "a".repeat(4096),
                valid.substring(2) + "\r\n"};
        for (String value : bad) {
            assertFalse(SessionIds.isWellFormed(value), "accepted " + value);
        }
    }
}
