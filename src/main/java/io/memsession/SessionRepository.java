package io.memsession;

import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.memsession.store.BurstLog;
import io.memsession.store.SaveOutcome;
import io.memsession.store.SessionStore;
import io.memsession.store.SessionStore.Access;
import io.memsession.store.SessionStoreException;
import io.memsession.store.StoredSession;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns stored documents into {@link SharedSession}s and back: load, create, save by merging, record
 * accesses, move to a new id, end.
 *
 * <p>Saving is optimistic: the changes of one request are applied to the document it loaded and
 * written with compare-and-set; when another request wrote in between, the current document is
 * read again and the same changes are applied to it, for up to {@link #MAX_SAVE_MILLIS} ms. A
 * session that disappeared meanwhile (invalidated elsewhere, expired) is never written again.
 *
 * <p>Expiry is decided here, from the last access the store recorded: a session idle longer than its
 * interval is ended (its {@code sessionDestroyed} announced by exactly one node, see
 * {@link SessionStore#claimEnd}) and deleted, whether its id comes back in a request or the
 * {@link ExpirySweeper} finds it first.
 *
 * <p>Store failures are logged and counted, never thrown at the application: a session that cannot
 * be loaded is "no session", a save that cannot be written is lost for this request only.
 */
final class SessionRepository {

    private static final Logger LOG = LoggerFactory.getLogger(SessionRepository.class);
    /**
     * How long a save keeps merging against concurrent writers. Each failed compare-and-set means
     * another request's save succeeded, so retrying cannot livelock; the bound is in time, not attempts,
     * because a burst of N writers on one session costs some writer N - 1 conflicts.
     */
    static final long MAX_SAVE_MILLIS = 3_000;
    private static final long MAX_RETRY_PAUSE_MILLIS = 32;
    private static final int MAX_ID_ATTEMPTS = 3;
    /** How often a burst of store failures is summed up in the log. */
    static final long STORE_FAILURE_LOG_WINDOW_MILLIS = 10_000;
    /**
     * Largest encoded session the store can be given, the most {@code maxSessionBytes} allows:
     * Xmemcached refuses values over 1 MiB on the client side whatever the server's {@code -I} says;
     * the margin leaves room for the item header and the durable tier's cache header.
     */
    static final int MAX_DOCUMENT_BYTES = 1024 * 1024 - 1024;

    /** What a {@link #save} did. */
    enum SaveResult {
        /** The store was asked to write the changes or record the access. */
        WRITTEN,
        /** Nothing needed writing. */
        NOTHING,
        /**
         * The store failed or refused the write (logged and counted); the stored copy is as it was, and
         * the request should not ask the store for anything more.
         */
        FAILED
    }

    private final SessionStore store;
    private final SessionCodec sessionCodec;
    private final SessionServices services;
    private final SessionIds ids;
    private final int defaultMaxInactiveInterval;
    private final Clock clock;
    private final SessionMetrics metrics;
    private final ExpiryWatch expiryWatch;
    private final ConcurrencyMode mode;
    /** Store failures come in bursts (an outage fails every request): logged once per burst and window. */
    private final BurstLog storeFailures;
    private final int maxDocumentBytes;
    private final DecodedSessionCache decoded;

    SessionRepository(SessionStore store, SessionCodec sessionCodec, SessionServices services, SessionIds ids,
            int defaultMaxInactiveInterval, Clock clock, SessionMetrics metrics, ExpiryWatch expiryWatch,
            ConcurrencyMode mode) {
        this(store, sessionCodec, services, ids, defaultMaxInactiveInterval, clock, metrics, expiryWatch, mode,
                MAX_DOCUMENT_BYTES, new DecodedSessionCache(0));
    }

    /**
     * @param maxDocumentBytes the largest encoded session stored ({@code maxSessionBytes})
     * @param decoded the sessions this node decoded recently ({@code decodedCacheSize})
     */
    SessionRepository(SessionStore store, SessionCodec sessionCodec, SessionServices services, SessionIds ids,
            int defaultMaxInactiveInterval, Clock clock, SessionMetrics metrics, ExpiryWatch expiryWatch,
            ConcurrencyMode mode, int maxDocumentBytes, DecodedSessionCache decoded) {
        this.decoded = decoded;
        this.maxDocumentBytes = maxDocumentBytes;
        this.mode = mode;
        this.store = store;
        this.sessionCodec = sessionCodec;
        this.services = services;
        this.ids = ids;
        this.defaultMaxInactiveInterval = defaultMaxInactiveInterval;
        this.clock = clock;
        this.metrics = metrics;
        this.expiryWatch = expiryWatch;
        this.storeFailures = new BurstLog(clock, STORE_FAILURE_LOG_WINDOW_MILLIS, LOG::warn);
    }

    /** What looking a session up found: a live session, nothing, or no answer from the store. */
    record Lookup(SharedSession session, boolean storeUnavailable) {
        static final Lookup ABSENT = new Lookup(null, false);
        static final Lookup UNAVAILABLE = new Lookup(null, true);
    }

    /**
     * The live stored session with this well-formed id; absent when it does not exist, cannot be
     * read, or has expired (in which case its end is announced here); unavailable when the store did
     * not answer, so that the caller does not mistake an outage for a missing session.
     */
    Lookup load(String id) {
        Found found;
        try {
            found = read(id);
        } catch (SessionStoreException e) {
            storeFailed("load", e);
            return Lookup.UNAVAILABLE;
        }
        if (found == null) {
            metrics.recordLoadOutcome(false);
            return Lookup.ABSENT;
        }
        SessionRecord record = found.record();
        long lastAccess = found.lastAccess();
        if (hasExpired(record.maxInactiveInterval(), lastAccess)) {
            metrics.recordLoadOutcome(false);
            end(id, record, found.stored());
            return Lookup.ABSENT;
        }
        metrics.recordLoadOutcome(true);
        SharedSession session = toSession(found, record.withLastAccessedTime(lastAccess));
        expiryWatch.observe(id, lastAccess, record.maxInactiveInterval());
        session.activated();
        return new Lookup(session, false);
    }

    /**
     * A stand-in for a session the store cannot be asked for right now: usable for this request,
     * never stored, announced or sent as a cookie, so that the user's real session is still there
     * when memcached answers again.
     */
    SharedSession createDetached(String id, long requestTime) {
        SessionRecord fresh = new SessionRecord(id, requestTime, requestTime, defaultMaxInactiveInterval, Map.of());
        SharedSession session = SharedSession.created(services, this, fresh);
        session.detach();
        return session;
    }

    /** A new session under a fresh id; it reaches the store at its first save. */
    SharedSession create(long requestTime) {
        SessionRecord fresh = new SessionRecord(ids.newId(), requestTime, requestTime, defaultMaxInactiveInterval,
                Map.of());
        SharedSession session = SharedSession.created(services, this, fresh);
        metrics.recordCreated();
        session.listeners().sessionCreated(session);
        return session;
    }

    /**
     * Writes what the request changed; records the access of an unchanged session instead.
     *
     * @param recordAccessIfUnchanged whether an unchanged stored session should have this access
     *     recorded (once per request is enough)
     * @param principal the session's user as the request knows it, asked only when something is written
     * @return whether the store was asked to write, had nothing to do, or failed
     */
    SaveResult save(SharedSession session, boolean recordAccessIfUnchanged, long requestTime,
            Supplier<String> principal) {
        if (!session.isValid() || session.isDetached()) {
            return SaveResult.NOTHING;
        }
        try {
            SessionDelta delta = pendingChangesAfterPassivation(session);
            boolean writing = !session.isStored() || !delta.isEmpty();
            Access access = writing ? new Access(requestTime, session.getMaxInactiveInterval(), principal.get())
                    : new Access(requestTime, session.getMaxInactiveInterval());
            long started = System.nanoTime();
            if (!session.isStored()) {
                createInStore(session, delta, access);
                metrics.recordSaveLatency(System.nanoTime() - started);
            } else if (!delta.isEmpty() && mode == ConcurrencyMode.NONE) {
                overwriteInStore(session, delta, access);
                metrics.recordSaveLatency(System.nanoTime() - started);
            } else if (!delta.isEmpty()) {
                mergeIntoStore(session, delta, access);
                metrics.recordSaveLatency(System.nanoTime() - started);
            } else if (recordAccessIfUnchanged) {
                metrics.recordTouch();
                store.touch(session.getId(), session.loadedFrom(), access);
            } else {
                return SaveResult.NOTHING;
            }
            expiryWatch.observe(session.getId(), requestTime, session.getMaxInactiveInterval());
            return SaveResult.WRITTEN;
        } catch (SessionStoreException e) {
            storeFailed("save", e);
            return SaveResult.FAILED;
        } catch (SessionTooLargeException e) {
            metrics.recordOversizedSave();
            LOG.warn("session changes not saved: {}; the copy stored before is kept", e.getMessage());
            return SaveResult.FAILED;
        }
    }

    /** Forgets what the request changed, without writing it, and says why. */
    void dropChanges(SharedSession session, String reason) {
        SessionDelta delta = session.mayHaveChanges() ? session.pendingChanges() : null;
        if (delta != null && !delta.isEmpty()) {
            metrics.recordDroppedSave();
            LOG.warn("session changes dropped: {}", reason);
            session.saved(delta, session.stored());
        }
    }

    /**
     * Records an access by a request that never loaded its session, so that it keeps the session
     * alive; an expired or invalidated session is never brought back.
     */
    void keepAlive(String id, long requestTime) {
        try {
            store.keepAlive(id, requestTime);
        } catch (SessionStoreException e) {
            storeFailed("keep-alive", e);
        }
    }

    /** Moves the session, with this request's changes, to a new id and deletes the old one. */
    void changeId(SharedSession session, long requestTime) {
        String oldId = session.getId();
        if (!session.isStored()) {
            session.renamed(ids.newId());
            session.listeners().sessionIdChanged(session, oldId);
            return;
        }
        Found current;
        try {
            current = read(oldId);
        } catch (SessionStoreException e) {
            storeFailed("changeSessionId", e);
            throw new IllegalStateException("changeSessionId: the session store does not answer", e);
        }
        if (current == null) {
            // invalidated or expired elsewhere meanwhile: moving it would bring it back
            session.discard();
            throw new IllegalStateException("changeSessionId: the session no longer exists");
        }
        session.rebase(current.record(), SharedSession.UNKNOWN_VERSION);
        SessionDelta delta = pendingChangesAfterPassivation(session);
        SessionRecord moved = delta.applyTo(session.stored(), requestTime).withId(ids.newId());
        String newId;
        try {
            newId = reserve(moved, new Access(requestTime, moved.maxInactiveInterval()));
        } catch (SessionStoreException e) {
            storeFailed("changeSessionId", e);
            throw new IllegalStateException("changeSessionId: the session could not be stored under a new id", e);
        } catch (SessionTooLargeException e) {
            metrics.recordOversizedSave();
            throw new IllegalStateException("changeSessionId: " + e.getMessage(), e);
        }
        session.renamed(newId);
        session.saved(delta, moved.withId(newId));
        expiryWatch.forget(oldId);
        expiryWatch.observe(newId, requestTime, moved.maxInactiveInterval());
        decoded.forget(oldId);
        try {
            store.delete(oldId);
        } catch (SessionStoreException e) {
            // the new id is in place; the old one lives on until it expires, which a fixation attack needs
            metrics.recordStoreFailure();
            LOG.error("changeSessionId could not delete the old id, which stays valid until it expires: {}",
                    e.getMessage());
        }
        session.listeners().sessionIdChanged(session, oldId);
    }


    /**
     * Ends the session at once: deleted from the store, so that no node can load it any more, and
     * announced to the listeners unless another node already announced its expiry.
     */
    void invalidate(SharedSession session) {
        if (session.isDetached()) {
            session.discard();
            return;
        }
        metrics.recordInvalidated();
        if (!session.isStored()) {
            session.end();
            return;
        }
        String id = session.getId();
        expiryWatch.forget(id);
        decoded.forget(id);
        try {
            store.delete(id);
        } catch (SessionStoreException e) {
            // the session lives on in the store: announcing its end would be a lie, and the user is not
            // logged out anywhere but in this request
            metrics.recordStoreFailure();
            LOG.error("invalidate() could not delete the session from the store, which keeps it until it expires:"
                    + " {}", e.getMessage());
            session.discard();
            return;
        }
        boolean announce = true;
        try {
            // a sweep that found the session expired a moment ago may have announced it already
            announce = !expiryWatch.isEnabled() || store.claimEnd(id);
        } catch (SessionStoreException e) {
            storeFailed("invalidate", e);
        }
        if (announce) {
            session.end();
        } else {
            session.discard();
        }
    }

    /**
     * For the {@link ExpirySweeper} and the {@link DurableSweeper}: ends the session if it has expired;
     * otherwise tells the watch when to look again.
     *
     * @return whether the session is still live (false: ended now, gone already, or unreadable)
     * @throws SessionStoreException when the store does not answer (logged here too)
     */
    boolean endIfExpired(String id) {
        Found found;
        try {
            found = read(id);
        } catch (SessionStoreException e) {
            // keep watching: the next sweep asks again
            storeFailed("expiry sweep", e);
            throw e;
        }
        if (found == null) {
            expiryWatch.forget(id);
            return false;
        }
        if (hasExpired(found.record().maxInactiveInterval(), found.lastAccess())) {
            end(id, found.record(), found.stored());
            return false;
        }
        expiryWatch.observe(id, found.lastAccess(), found.record().maxInactiveInterval());
        return true;
    }


    private boolean hasExpired(int maxInactiveInterval, long lastAccess) {
        return maxInactiveInterval > 0 && clock.millis() - lastAccess > maxInactiveInterval * 1000L;
    }

    /** Announces (if this node wins the claim) and deletes an expired session. */
    private void end(String id, SessionRecord record, StoredSession stored) {
        metrics.recordExpired();
        expiryWatch.forget(id);
        try {
            if (expiryWatch.isEnabled() && store.claimEnd(id)) {
                SharedSession expired = toSession(new Found(stored, record, record.lastAccessedTime(), null), record);
                expired.activated();
                expired.end();
            }
        } catch (SessionStoreException e) {
            storeFailed("expire", e);
        } finally {
            decoded.forget(id);
            try {
                store.delete(id);
            } catch (SessionStoreException e) {
                storeFailed("expire", e);
            }
        }
    }


    /**
     * The session with its attributes decoded. An attribute that cannot be read (its class was removed
     * by a deploy, or it breaks a reader limit) is left out, logged and counted: the user keeps the
     * session and the rest of its data, and the stored value stays until the application replaces or
     * removes that attribute.
     */
    private SharedSession toSession(Found found, SessionRecord record) {
        DecodedSessionCache.Entry cached = found.cached();
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, Object> fresh = new HashMap<>();
        Map<String, Object> pristine = new HashMap<>();
        boolean complete = true;
        for (Map.Entry<String, byte[]> attribute : record.attributes().entrySet()) {
            String name = attribute.getKey();
            Object template = cached == null ? null : cached.templates().get(name);
            if (template != null) {
                Object value = DecodedSessionCache.valueFrom(template);
                values.put(name, value);
                if (value != template) {
                    pristine.put(name, template);
                }
                continue;
            }
            try {
                Object value = services.codec().decode(attribute.getValue());
                values.put(name, value);
                Object copy = DecodedSessionCache.templateOf(value);
                if (copy != null) {
                    fresh.put(name, copy);
                }
            } catch (UnreadableSessionException e) {
                complete = false;
                metrics.recordUnreadable();
                LOG.warn("a session attribute cannot be read and is left out of the session: {}", e.getMessage());
            }
        }
        if (complete && (cached == null || !fresh.isEmpty())) {
            // a session with an unreadable attribute is not remembered: every load logs and counts it
            decoded.remember(record.id(), found.stored().document(), found.record(), fresh);
        }
        return SharedSession.loaded(services, this, record, found.stored(), values, pristine);
    }

    private SessionDelta pendingChangesAfterPassivation(SharedSession session) {
        SessionDelta delta = session.pendingChanges();
        boolean writing = !session.isStored() || !delta.isEmpty();
        if (writing && session.passivating()) {
            // listeners may have changed their own state for storage
            delta = session.pendingChanges();
        }
        return delta;
    }

    private void createInStore(SharedSession session, SessionDelta everything, Access access) {
        SessionRecord record = everything.applyTo(session.unsavedBase(), access.time());
        metrics.recordSave();
        if (store.create(record.id(), encodeWithinLimit(record), access)) {
            session.saved(everything, record);
            return;
        }
        // The id is taken. Almost surely by this very session: an earlier add of this request timed out
        // on the client after memcached had stored it. Then carry on as an update of that document.
        Found existing = read(record.id());
        if (existing != null && existing.record().creationTime() == record.creationTime()) {
            session.rebase(existing.record(), existing.stored().version());
            mergeIntoStore(session, everything, access);
            return;
        }
        String id = reserve(record.withId(ids.newId()), access);
        session.renamed(id);
        session.saved(everything, record.withId(id));
    }


    /** Stores {@code record} with {@code add} under its id, or under a fresh one if that id is taken. */
    private String reserve(SessionRecord record, Access access) {
        SessionRecord candidate = record;
        for (int attempt = 1; attempt <= MAX_ID_ATTEMPTS; attempt++) {
            metrics.recordSave();
            if (store.create(candidate.id(), encodeWithinLimit(candidate), access)) {
                return candidate.id();
            }
            candidate = candidate.withId(ids.newId());
        }
        throw new SessionStoreException("no free session id after " + MAX_ID_ATTEMPTS + " attempts", null);
    }

    /**
     * The document for {@code record} as it is stored (compressed when large enough, see
     * {@link DocumentCompression}), or {@link SessionTooLargeException} when the stored form is larger than
     * the store takes or the document larger than any node inflates: the one place size limits apply.
     */
    private byte[] encodeWithinLimit(SessionRecord record) {
        byte[] document = sessionCodec.encode(record);
        if (document.length > DocumentCompression.MAX_INFLATED_BYTES) {
            throw new SessionTooLargeException(document.length + " bytes", DocumentCompression.MAX_INFLATED_BYTES,
                    "the most any node inflates", largestAttributes(record));
        }
        byte[] stored = sessionCodec.forStorage(document);
        if (stored.length > maxDocumentBytes) {
            throw new SessionTooLargeException(stored == document ? stored.length + " bytes"
                    : stored.length + " bytes compressed (" + document.length + " bytes before)", maxDocumentBytes,
                    "maxSessionBytes", largestAttributes(record));
        }
        metrics.recordBytesWritten(stored.length);
        return stored;
    }

    /** The three largest attributes, as {@code name (N bytes)}, for the log line of a refused save. */
    private static String largestAttributes(SessionRecord record) {
        return record.attributes().entrySet().stream()
                .sorted((x, y) -> Integer.compare(y.getValue().length, x.getValue().length))
                .limit(3)
                .map(e -> e.getKey() + " (" + e.getValue().length + " bytes)")
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** Last writer wins: the whole session as this request sees it replaces what is stored. */
    private void overwriteInStore(SharedSession session, SessionDelta delta, Access access) {
        SessionRecord record = delta.applyTo(session.stored(), access.time());
        metrics.recordSave();
        byte[] document = encodeWithinLimit(record);
        if (store.overwrite(session.getId(), document, accessRecordBasis(session, delta), access)) {
            decoded.remember(record.id(), document, record, Map.of());
            session.saved(delta, record);
        } else {
            session.discard();
        }
    }

    private void mergeIntoStore(SharedSession session, SessionDelta delta, Access access) {
        String id = session.getId();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_SAVE_MILLIS);
        for (int attempt = 1; System.nanoTime() < deadline; attempt++) {
            if (session.storedVersion() != SharedSession.UNKNOWN_VERSION) {
                SessionRecord merged = delta.applyTo(session.stored(), access.time());
                metrics.recordSave();
                byte[] document = encodeWithinLimit(merged);
                SaveOutcome outcome = store.replace(id, document, session.storedVersion(),
                        accessRecordBasis(session, delta),
                        new Access(access.time(), merged.maxInactiveInterval(), access.principal()));
                if (outcome == SaveOutcome.SAVED) {
                    decoded.remember(id, document, merged, Map.of());
                    session.saved(delta, merged);
                    return;
                }
                if (outcome == SaveOutcome.GONE) {
                    session.discard();
                    return;
                }
                metrics.recordSaveConflict();
                pauseBeforeRetry(attempt);
            }
            Found current = read(id);
            if (current == null) {
                LOG.debug("session disappeared while a request was changing it; its changes are dropped");
                session.discard();
                return;
            }
            session.rebase(current.record(), current.stored().version());
        }
        metrics.recordDroppedSave();
        LOG.warn("session changes dropped: concurrent writers won every compare-and-set for {} ms",
                MAX_SAVE_MILLIS);
    }

    /**
     * Random pause, growing with each conflict: writers that collided retry at different moments
     * instead of colliding again (memcached has nothing to wait on).
     */
    private static void pauseBeforeRetry(int attempt) {
        long ceiling = Math.min(MAX_RETRY_PAUSE_MILLIS, 1L << Math.min(attempt, 5));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(ceiling + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * What the store may assume about the session's access record when it decides whether to rewrite
     * it: nothing (so it is rewritten) when the interval changed, since the record carries it.
     */
    private static StoredSession accessRecordBasis(SharedSession session, SessionDelta delta) {
        return delta.maxInactiveInterval().isPresent() ? null : session.loadedFrom();
    }

    /** A stored session read back and decoded, with the later of its two recorded access times. */
    /**
     * @param record as stored (its own last access, not yet the later one the store may know of)
     * @param cached what this node decoded from the same document before, or null
     */
    private record Found(StoredSession stored, SessionRecord record, long lastAccess, DecodedSessionCache.Entry cached) {
    }

    /**
     * Reads and decodes the session stored under {@code id}.
     *
     * @return null when there is none or it cannot be read (logged and counted)
     * @throws SessionStoreException when the store does not answer: never mistaken for "absent"
     */
    private Found read(String id) {
        long started = System.nanoTime();
        Optional<StoredSession> stored;
        try {
            stored = store.load(id);
        } finally {
            metrics.recordLoad(System.nanoTime() - started);
        }
        if (stored.isEmpty()) {
            return null;
        }
        metrics.recordBytesRead(stored.get().document().length);
        DecodedSessionCache.Entry cached = decoded.lookup(id, stored.get().document());
        SessionRecord record = cached != null ? cached.record() : decodeOrNull(id, stored.get());
        if (record == null) {
            return null;
        }
        return new Found(stored.get(), record, Math.max(record.lastAccessedTime(), stored.get().latestAccessTime()),
                cached);
    }


    private SessionRecord decodeOrNull(String id, StoredSession stored) {
        try {
            SessionRecord record = sessionCodec.decode(stored.document());
            if (!record.id().equals(id)) {
                throw new UnreadableSessionException("the document stored for a session names another id");
            }
            return record;
        } catch (UnreadableSessionException e) {
            unreadable(e);
            return null;
        }
    }

    private void unreadable(UnreadableSessionException e) {
        metrics.recordUnreadable();
        LOG.warn("a stored session cannot be read and is treated as absent: {}", e.getMessage());
    }

    private void storeFailed(String operation, SessionStoreException e) {
        metrics.recordStoreFailure();
        storeFailures.failed(operation, e.getMessage());
    }
}
