package io.memsession;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

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

    private final SessionStore store;
    private final SessionCodec sessionCodec;
    private final SessionServices services;
    private final SessionIds ids;
    private final int defaultMaxInactiveInterval;
    private final Clock clock;
    private final SessionMetrics metrics;
    private final ExpiryWatch expiryWatch;
    private final ConcurrencyMode mode;

    SessionRepository(SessionStore store, SessionCodec sessionCodec, SessionServices services, SessionIds ids,
            int defaultMaxInactiveInterval, Clock clock, SessionMetrics metrics, ExpiryWatch expiryWatch,
            ConcurrencyMode mode) {
        this.mode = mode;
        this.store = store;
        this.sessionCodec = sessionCodec;
        this.services = services;
        this.ids = ids;
        this.defaultMaxInactiveInterval = defaultMaxInactiveInterval;
        this.clock = clock;
        this.metrics = metrics;
        this.expiryWatch = expiryWatch;
    }

    /**
     * The live stored session with this well-formed id, or empty when it does not exist, cannot be
     * read, or has expired (in which case its end is announced here).
     */
    Optional<SharedSession> load(String id) {
        Optional<StoredSession> found = loadStored(id);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        SessionRecord record = decodeOrNull(id, found.get());
        if (record == null) {
            return Optional.empty();
        }
        long lastAccess = Math.max(record.lastAccessedTime(), found.get().lastAccessTime());
        if (hasExpired(record.maxInactiveInterval(), lastAccess)) {
            end(id, record, found.get());
            return Optional.empty();
        }
        SharedSession session = toSession(record.withLastAccessedTime(lastAccess), found.get());
        if (session == null) {
            return Optional.empty();
        }
        expiryWatch.observe(id, lastAccess, record.maxInactiveInterval());
        session.activated();
        return Optional.of(session);
    }

    /** A new session under a fresh id; it reaches the store at its first save. */
    SharedSession create(long requestTime) {
        SessionRecord fresh = new SessionRecord(ids.newId(), requestTime, requestTime, defaultMaxInactiveInterval,
                Map.of());
        SharedSession session = SharedSession.created(services, this, fresh);
        session.listeners().sessionCreated(session);
        return session;
    }

    /**
     * Writes what the request changed; records the access of an unchanged session instead.
     *
     * @param recordAccessIfUnchanged whether an unchanged stored session should have this access
     *     recorded (once per request is enough)
     * @return whether the store was asked to write or record anything
     */
    boolean save(SharedSession session, boolean recordAccessIfUnchanged, long requestTime) {
        if (!session.isValid()) {
            return false;
        }
        try {
            SessionDelta delta = pendingChangesAfterPassivation(session);
            Access access = new Access(requestTime, session.getMaxInactiveInterval());
            if (!session.isStored()) {
                createInStore(session, delta, access);
            } else if (!delta.isEmpty() && mode == ConcurrencyMode.NONE) {
                overwriteInStore(session, delta, access);
            } else if (!delta.isEmpty()) {
                mergeIntoStore(session, delta, access);
            } else if (recordAccessIfUnchanged) {
                metrics.recordTouch();
                store.touch(session.getId(), session.loadedFrom(), access);
            } else {
                return false;
            }
            expiryWatch.observe(session.getId(), requestTime, session.getMaxInactiveInterval());
            return true;
        } catch (SessionStoreException e) {
            storeFailed("save", e);
            return false;
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
        try {
            loadStored(oldId).map(current -> decodeOrNull(oldId, current)).ifPresent(
                    current -> session.rebase(current, SharedSession.UNKNOWN_VERSION));
            SessionDelta delta = pendingChangesAfterPassivation(session);
            SessionRecord moved = delta.applyTo(session.stored(), requestTime);
            String newId = reserve(moved, new Access(requestTime, moved.maxInactiveInterval()));
            session.renamed(newId);
            session.saved(delta, moved.withId(newId));
            store.delete(oldId);
            expiryWatch.forget(oldId);
            expiryWatch.observe(newId, requestTime, moved.maxInactiveInterval());
        } catch (SessionStoreException e) {
            storeFailed("changeSessionId", e);
            // the id still changes for this request, so that a fixated id is never kept
            session.renamed(ids.newId());
        }
        session.listeners().sessionIdChanged(session, oldId);
    }

    /**
     * Ends the session at once: deleted from the store, so that no node can load it any more, and
     * announced to the listeners unless another node already announced its expiry.
     */
    void invalidate(SharedSession session) {
        boolean announce = true;
        if (session.isStored()) {
            String id = session.getId();
            try {
                announce = !expiryWatch.isEnabled() || store.claimEnd(id);
                store.delete(id);
            } catch (SessionStoreException e) {
                storeFailed("invalidate", e);
            }
            expiryWatch.forget(id);
        }
        if (announce) {
            session.end();
        } else {
            session.discard();
        }
    }

    /**
     * For the {@link ExpirySweeper}: ends the session if it has expired; otherwise tells the watch when
     * to look again.
     */
    void endIfExpired(String id) {
        Optional<StoredSession> found = loadStored(id);
        SessionRecord record = found.map(stored -> decodeOrNull(id, stored)).orElse(null);
        if (record == null) {
            expiryWatch.forget(id);
            return;
        }
        long lastAccess = Math.max(record.lastAccessedTime(), found.get().lastAccessTime());
        if (hasExpired(record.maxInactiveInterval(), lastAccess)) {
            end(id, record, found.get());
        } else {
            expiryWatch.observe(id, lastAccess, record.maxInactiveInterval());
        }
    }

    private boolean hasExpired(int maxInactiveInterval, long lastAccess) {
        return maxInactiveInterval > 0 && clock.millis() - lastAccess > maxInactiveInterval * 1000L;
    }

    /** Announces (if this node wins the claim) and deletes an expired session. */
    private void end(String id, SessionRecord record, StoredSession stored) {
        expiryWatch.forget(id);
        try {
            if (expiryWatch.isEnabled() && store.claimEnd(id)) {
                SharedSession expired = toSession(record, stored);
                if (expired != null) {
                    expired.activated();
                    expired.end();
                }
            }
            store.delete(id);
        } catch (SessionStoreException e) {
            storeFailed("expire", e);
        }
    }

    private SharedSession toSession(SessionRecord record, StoredSession stored) {
        try {
            Map<String, Object> values = new LinkedHashMap<>();
            record.attributes().forEach((name, encoded) -> values.put(name, services.codec().decode(encoded)));
            return SharedSession.loaded(services, this, record, stored, values);
        } catch (UnreadableSessionException e) {
            unreadable(e);
            return null;
        }
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
        String id = reserve(record, access);
        if (!id.equals(session.getId())) {
            session.renamed(id);
        }
        session.saved(everything, record.withId(id));
    }

    /** Stores {@code record} with {@code add} under its id, or under a fresh one if that id is taken. */
    private String reserve(SessionRecord record, Access access) {
        SessionRecord candidate = record;
        for (int attempt = 1; attempt <= MAX_ID_ATTEMPTS; attempt++) {
            metrics.recordSave();
            if (store.create(candidate.id(), sessionCodec.encode(candidate), access)) {
                return candidate.id();
            }
            candidate = candidate.withId(ids.newId());
        }
        throw new SessionStoreException("no free session id after " + MAX_ID_ATTEMPTS + " attempts", null);
    }

    /** Last writer wins: the whole session as this request sees it replaces what is stored. */
    private void overwriteInStore(SharedSession session, SessionDelta delta, Access access) {
        SessionRecord record = delta.applyTo(session.stored(), access.time());
        metrics.recordSave();
        if (store.overwrite(session.getId(), sessionCodec.encode(record), session.loadedFrom(), access)) {
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
                SaveOutcome outcome = store.replace(id, sessionCodec.encode(merged), session.storedVersion(),
                        session.loadedFrom(), new Access(access.time(), merged.maxInactiveInterval()));
                if (outcome == SaveOutcome.SAVED) {
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
            Optional<StoredSession> current = loadStored(id);
            SessionRecord currentRecord = current.map(found -> decodeOrNull(id, found)).orElse(null);
            if (currentRecord == null) {
                LOG.debug("session disappeared while a request was changing it; its changes are dropped");
                session.discard();
                return;
            }
            session.rebase(currentRecord, current.get().version());
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

    private Optional<StoredSession> loadStored(String id) {
        try {
            metrics.recordLoad();
            return store.load(id);
        } catch (SessionStoreException e) {
            storeFailed("load", e);
            return Optional.empty();
        }
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
        LOG.warn("session {} failed, the request goes on without it: {}", operation, e.getMessage());
    }
}
