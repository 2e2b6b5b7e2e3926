package io.memsession;

import java.util.Map;

/**
 * One session as stored: plain immutable data, with every attribute kept in its encoded form so that
 * attributes a request does not touch are written back byte for byte, never re-serialized.
 *
 * @param id the session id
 * @param creationTime epoch milliseconds when the session was created
 * @param lastAccessedTime epoch milliseconds of the last request that wrote this record
 * @param maxInactiveInterval seconds of inactivity before the session expires; zero or less: never
 * @param attributes attribute name to its encoded value (UTF-8 JSON, see {@link AttributeCodec});
 *     an unmodifiable map
 */
record SessionRecord(String id, long creationTime, long lastAccessedTime, int maxInactiveInterval,
        Map<String, byte[]> attributes) {

    SessionRecord {
        attributes = Map.copyOf(attributes);
    }

    /** The same session with another last access time. */
    SessionRecord withLastAccessedTime(long time) {
        return new SessionRecord(id, creationTime, time, maxInactiveInterval, attributes);
    }

    /** The same session under another id, as {@code changeSessionId} needs. */
    SessionRecord withId(String newId) {
        return new SessionRecord(newId, creationTime, lastAccessedTime, maxInactiveInterval, attributes);
    }
}
