package io.memsession;

import java.util.Collection;
import java.util.Map;

/**
 * How large a session's document can grow before its save is certainly refused, so that
 * {@code setAttribute} can refuse a value that would take it there, in the request that sets it.
 *
 * <p>The check must cost nothing on a session far below the limit: a new value is encoded only when a
 * cheap lower bound of its size says the session would come within half the limit; otherwise that
 * bound counts. Only a refusal is checked exactly (see {@link SharedSession}), so a value is refused only
 * when the save would certainly be. Immutable once built.
 */
final class SessionSizeLimit {

    /** The largest possible settings: what a repository built without a limit enforces. */
    static final SessionSizeLimit DEFAULT = new SessionSizeLimit(SessionRepository.MAX_DOCUMENT_BYTES,
            DocumentCompression.OFF);

    private final int certainBytes;
    private final String limitName;

    /**
     * With compression, a document over {@code maxSessionBytes} may still fit once compressed, which
     * only compressing it can tell: then only the uncompressed limit is certain.
     */
    SessionSizeLimit(int maxSessionBytes, DocumentCompression compression) {
        this.certainBytes = compression.isOn() ? DocumentCompression.MAX_INFLATED_BYTES : maxSessionBytes;
        this.limitName = compression.isOn() ? "the most any node inflates" : "maxSessionBytes";
    }

    /** A document larger than this is certainly refused at save. */
    int certainBytes() {
        return certainBytes;
    }

    /** What {@link #certainBytes} is, for messages. */
    String limitName() {
        return limitName;
    }

    /** Whether a document of about this size is near enough the limit that new values are encoded to check. */
    boolean isNear(long documentBytes) {
        return documentBytes >= certainBytes / 2;
    }

    /**
     * Fewer bytes than {@code value} takes encoded, found without encoding it: from the length of strings
     * and arrays and the size of collections; 1 for anything else.
     */
    static long bytesAtLeast(Object value) {
        if (value instanceof CharSequence text) {
            return text.length() + 2L;
        }
        if (value instanceof byte[] bytes) {
            // ["byte[]","<Base64>"]
            return 13L + 4L * ((bytes.length + 2) / 3);
        }
        if (value instanceof char[] chars) {
            return 13L + chars.length;
        }
        if (value instanceof Object[] array) {
            return 2L * array.length;
        }
        if (value instanceof Collection<?> collection) {
            // each element at least one byte and a comma
            return 2L * collection.size();
        }
        if (value instanceof Map<?, ?> map) {
            // each entry at least "":x, or [x,x],
            return 5L * map.size();
        }
        return 1;
    }
}
