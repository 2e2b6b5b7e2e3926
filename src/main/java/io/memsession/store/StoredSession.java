package io.memsession.store;

/**
 * A session document as a store returned it.
 *
 * @param document the encoded session, opaque to the store
 * @param version a token that changes with every write, for compare-and-set
 *     ({@link SessionStore#replace})
 */
public record StoredSession(byte[] document, long version) {
}
