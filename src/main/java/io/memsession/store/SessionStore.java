package io.memsession.store;

import java.util.Optional;

/**
 * Where session documents live: a small key-value contract that memcached, a database or a tier of
 * both can honour.
 *
 * <p>A store sees opaque bytes only; encoding, change tracking and merging belong to the layer
 * above. Every document carries a {@link StoredSession#version() version} so that writers can
 * detect a concurrent change and merge instead of overwriting it (compare-and-set).
 *
 * <p>Expiry is passed as the session's inactivity interval in seconds; a value of zero or less means
 * the document never expires. Each implementation maps that onto its own notion of time-to-live.
 *
 * <p>Implementations must be thread-safe and must bound every call in time: a store that cannot
 * answer throws {@link SessionStoreException} rather than blocking the request thread.
 */
public interface SessionStore extends AutoCloseable {

    /** The document stored under {@code id}, or empty when there is none (never created, expired or deleted). */
    Optional<StoredSession> load(String id);

    /**
     * Stores a new document only if none exists under {@code id}.
     *
     * @return {@code false} when the id is already taken (the caller picks another id)
     */
    boolean create(String id, byte[] document, int maxInactiveSeconds);

    /**
     * Replaces the document under {@code id} only if it is still at {@code expectedVersion}.
     *
     * @return {@link SaveOutcome#SAVED}; {@link SaveOutcome#CONFLICT} when another writer changed it
     *     since that version was loaded; {@link SaveOutcome#GONE} when it no longer exists (expired or
     *     invalidated), in which case nothing is written, so a deleted session is never brought back
     */
    SaveOutcome replace(String id, byte[] document, long expectedVersion, int maxInactiveSeconds);

    /**
     * Extends the life of an existing document without changing it.
     *
     * @return {@code false} when there is no document to extend
     */
    boolean touch(String id, int maxInactiveSeconds);

    /** Removes the document; removing an absent one is not an error. */
    void delete(String id);

    /** Releases connections. */
    @Override
    void close();
}
