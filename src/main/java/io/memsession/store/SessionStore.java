package io.memsession.store;

import java.util.Optional;

/**
 * Where session documents live: a small key-value contract that memcached, a database or a tier of
 * both can honour.
 *
 * <p>A store sees opaque documents plus two numbers it must keep beside them: the time of the last
 * request that used the session (its access time) and the session's inactivity interval. Encoding,
 * change tracking, merging and the decision whether a session has expired belong to the layer above.
 * Every document carries a {@link StoredSession#version() version} so that writers can detect a
 * concurrent change and merge instead of overwriting it (compare-and-set).
 *
 * <p>A store keeps a document at least {@code maxInactiveSeconds} after its last access, plus a grace
 * period of its own so that the layer above can still read an expired session once to announce its
 * end; an interval of zero or less means the session never expires.
 *
 * <p>Implementations must be thread-safe and must bound every call in time: a store that cannot
 * answer throws {@link SessionStoreException} rather than blocking the request thread.
 */
public interface SessionStore extends AutoCloseable {

    /** The document stored under {@code id} with its last access time, or empty when there is none. */
    Optional<StoredSession> load(String id);

    /**
     * Stores a new document only if none exists under {@code id}.
     *
     * @return {@code false} when the id is already taken (the caller picks another id)
     */
    boolean create(String id, byte[] document, Access access);

    /**
     * Replaces the document under {@code id} only if it is still at {@code expectedVersion}; the access
     * is recorded by the document itself (the layer above stamps it in), so a store may skip its own
     * access record when the one it returned in {@code previous} is still fresh enough.
     *
     * @param previous what {@link #load} returned for it in the same request, or null
     * @return {@link SaveOutcome#SAVED}; {@link SaveOutcome#CONFLICT} when another writer changed it
     *     since that version was loaded (or, for stores that cannot tell, when it vanished);
     *     {@link SaveOutcome#GONE} when it no longer exists. Nothing is written unless SAVED, so a
     *     deleted session is never brought back.
     */
    SaveOutcome replace(String id, byte[] document, long expectedVersion, StoredSession previous, Access access);

    /**
     * Replaces the document under {@code id} whatever its version (last writer wins), if it exists;
     * like {@link #replace}, the document carries the access.
     *
     * @param previous what {@link #load} returned for it in the same request, or null
     * @return {@code false} when it no longer exists; nothing is written then
     */
    boolean overwrite(String id, byte[] document, StoredSession previous, Access access);

    /**
     * Records an access to a session whose document did not change, extending its life.
     *
     * @param previous what {@link #load} returned for it in the same request
     */
    void touch(String id, StoredSession previous, Access access);

    /**
     * Records an access by a request that never loaded the session (a static file, say): extends its
     * life if, and only if, it exists and has not expired, without reading the document.
     *
     * @return whether a live session was found and extended
     */
    boolean keepAlive(String id, long accessTime);

    /**
     * Claims the one-time announcement of a session's end: the first caller, on any node, gets
     * {@code true}; every later caller {@code false}.
     */
    boolean claimEnd(String id);

    /** Removes the document and its access record; removing an absent one is not an error. */
    void delete(String id);

    /** Releases connections. */
    @Override
    void close();

    /**
     * One use of a session.
     *
     * @param time epoch milliseconds when the request that used the session was received
     * @param maxInactiveSeconds the session's inactivity interval; zero or less: never expires
     * @param principal the name of the user the session belongs to, for stores that index sessions by
     *     user (the durable tier's {@code principal} column); null when there is none or it is not known
     */
    record Access(long time, int maxInactiveSeconds, String principal) {

        /** A use by a request that says nothing about the session's user. */
        public Access(long time, int maxInactiveSeconds) {
            this(time, maxInactiveSeconds, null);
        }
    }
}
