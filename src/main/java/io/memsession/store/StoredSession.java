package io.memsession.store;

/**
 * A session document as a store returned it.
 *
 * @param document the encoded session, opaque to the store
 * @param version a token that changes with every write, for compare-and-set
 *     ({@link SessionStore#replace})
 * @param lastAccessTime epoch milliseconds of the last recorded use of the session, or
 *     {@link #UNKNOWN_ACCESS_TIME} when the store has no record of it beyond the document itself
 * @param lifeRenewedAt epoch milliseconds when the store last extended the document's life, or
 *     {@link #UNKNOWN_ACCESS_TIME}; lets a store skip renewing a life that is still long enough
 * @param durableAccessTime for a store with a durable tier behind a cache: the access time that tier
 *     holds, so that the store can write it there only every so often; {@link #UNKNOWN_ACCESS_TIME}
 *     for other stores. The layer above takes the latest of the three times as the last access.
 * @param revision for a store that keeps copies on several servers ({@link ReplicatedSessionStore}):
 *     the logical revision of the copy returned, which orders copies across servers where memcached's
 *     {@code cas} values cannot; {@link #NO_REVISION} for other stores
 */
public record StoredSession(byte[] document, long version, long lastAccessTime, long lifeRenewedAt,
        long durableAccessTime, long revision) {

    /** The store holds no access time separate from the document. */
    public static final long UNKNOWN_ACCESS_TIME = -1;
    /** The store keeps one copy and no revision of its own. */
    public static final long NO_REVISION = 0;

    /** A document from a store that keeps one copy. */
    public StoredSession(byte[] document, long version, long lastAccessTime, long lifeRenewedAt,
            long durableAccessTime) {
        this(document, version, lastAccessTime, lifeRenewedAt, durableAccessTime, NO_REVISION);
    }

    /** A document with an access record of the store's own, and no durable tier. */
    public StoredSession(byte[] document, long version, long lastAccessTime, long lifeRenewedAt) {
        this(document, version, lastAccessTime, lifeRenewedAt, UNKNOWN_ACCESS_TIME);
    }

    /** A document without an access record of its own. */
    public StoredSession(byte[] document, long version) {
        this(document, version, UNKNOWN_ACCESS_TIME, UNKNOWN_ACCESS_TIME);
    }

    /** The latest access this store knows of besides the document's own field. */
    public long latestAccessTime() {
        return Math.max(lastAccessTime, durableAccessTime);
    }
}
