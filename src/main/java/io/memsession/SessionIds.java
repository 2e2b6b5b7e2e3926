package io.memsession;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Creates session ids and decides which client-supplied values may be looked up at all.
 *
 * <p>An id is 192 bits from {@link SecureRandom}, written as 32 URL-safe Base64 characters. Anything
 * else a client sends (wrong length, other characters, spaces, control bytes, memcached commands) is
 * rejected here, before it could become part of a memcached key.
 */
final class SessionIds {

    static final int ID_LENGTH = 32;
    private static final int RANDOM_BYTES = 24;

    private final SecureRandom random;
    private final Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();

    SessionIds(SecureRandom random) {
        this.random = random;
    }

    String newId() {
        byte[] bytes = new byte[RANDOM_BYTES];
        random.nextBytes(bytes);
        return encoder.encodeToString(bytes);
    }

    /** Whether {@code candidate} has the exact shape of an id this class creates. */
    static boolean isWellFormed(String candidate) {
        if (candidate == null || candidate.length() != ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < ID_LENGTH; i++) {
            char c = candidate.charAt(i);
            boolean urlSafe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_';
            if (!urlSafe) {
                return false;
            }
        }
        return true;
    }
}
