package io.memsession;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.servlet.ServletContext;

import io.memsession.store.SaveOutcome;
import io.memsession.store.SessionStore;
import io.memsession.store.SessionStoreException;
import io.memsession.store.StoredSession;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns stored documents into {@link SharedSession}s and back: load, create, save by merging,
 * touch, move to a new id, delete.
 *
 * <p>Saving is optimistic: the changes of one request are applied to the document it loaded and
 * written with compare-and-set; when another request wrote in between, the current document is
 * read again and the same changes are applied to it, up to {@link #MAX_SAVE_ATTEMPTS} times. A
 * session that disappeared meanwhile (invalidated elsewhere, expired) is never written again.
 *
 * <p>Store failures are logged and counted, never thrown at the application: a session that cannot
 * be loaded is "no session", a save that cannot be written is lost for this request only.
 */
final class SessionRepository {

    private static final Logger LOG = LoggerFactory.getLogger(SessionRepository.class);
    static final int MAX_SAVE_ATTEMPTS = 8;
    private static final int MAX_ID_ATTEMPTS = 3;

    private final SessionStore store;
    private final SessionCodec sessionCodec;
    private final AttributeCodec attributeCodec;
    private final SessionIds ids;
    private final ServletContext servletContext;
    private final int defaultMaxInactiveInterval;
    private final Clock clock;
    private final SessionMetrics metrics;

    SessionRepository(SessionStore store, SessionCodec sessionCodec, AttributeCodec attributeCodec,
            SessionIds ids, ServletContext servletContext, int defaultMaxInactiveInterval, Clock clock,
            SessionMetrics metrics) {
        this.store = store;
        this.sessionCodec = sessionCodec;
        this.attributeCodec = attributeCodec;
        this.ids = ids;
        this.servletContext = servletContext;
        this.defaultMaxInactiveInterval = defaultMaxInactiveInterval;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** The stored session with this well-formed id, or empty when it does not exist or cannot be read. */
    Optional<SharedSession> load(String id) {
        Optional<StoredSession> found;
        try {
            metrics.recordLoad();
            found = store.load(id);
        } catch (SessionStoreException e) {
            storeFailed("load", e);
            return Optional.empty();
        }
        if (found.isEmpty()) {
            return Optional.empty();
        }
        try {
            SessionRecord record = decode(id, found.get().document());
            Map<String, Object> values = new LinkedHashMap<>();
            record.attributes().forEach((name, encoded) -> values.put(name, attributeCodec.decode(encoded)));
            return Optional.of(SharedSession.loaded(servletContext, attributeCodec, this, record,
                    found.get().version(), values));
        } catch (UnreadableSessionException e) {
            metrics.recordUnreadable();
            LOG.warn("a stored session cannot be read and is treated as absent: {}", e.getMessage());
            return Optional.empty();
        }
    }

    /** A new session under a fresh id; it reaches the store at its first save. */
    SharedSession create() {
        long now = clock.millis();
        SessionRecord fresh = new SessionRecord(ids.newId(), now, now, defaultMaxInactiveInterval, Map.of());
        return SharedSession.created(servletContext, attributeCodec, this, fresh);
    }

    /**
     * Writes what the request changed; extends the life of an unchanged session instead.
     *
     * @param touchIfUnchanged whether an unchanged stored session should have its expiry extended
     *     (once per request is enough)
     * @return whether the store was asked to write or touch anything
     */
    boolean save(SharedSession session, boolean touchIfUnchanged) {
        if (!session.isValid()) {
            return false;
        }
        try {
            if (!session.isStored()) {
                createInStore(session);
                return true;
            }
            SessionDelta delta = session.pendingChanges();
            if (delta.isEmpty()) {
                if (touchIfUnchanged) {
                    metrics.recordTouch();
                    store.touch(session.getId(), session.getMaxInactiveInterval());
                }
                return touchIfUnchanged;
            }
            mergeIntoStore(session, delta);
            return true;
        } catch (SessionStoreException e) {
            storeFailed("save", e);
            return false;
        }
    }

    /** Moves the session, with this request's changes, to a new id and deletes the old one. */
    void changeId(SharedSession session) {
        String oldId = session.getId();
        if (!session.isStored()) {
            session.renamed(ids.newId());
            return;
        }
        try {
            store.load(oldId).map(current -> decodeOrNull(oldId, current)).ifPresent(
                    current -> session.rebase(current, SharedSession.UNKNOWN_VERSION));
            SessionDelta delta = session.pendingChanges();
            SessionRecord moved = delta.applyTo(session.stored(), clock.millis());
            String newId = reserve(moved);
            session.renamed(newId);
            session.saved(delta, moved.withId(newId));
            store.delete(oldId);
        } catch (SessionStoreException e) {
            storeFailed("changeSessionId", e);
            // the id still changes for this request, so that a fixated id is never kept
            session.renamed(ids.newId());
        }
    }

    /** Deletes the session at once, so that no node can load it any more. */
    void invalidate(SharedSession session) {
        if (!session.isStored()) {
            return;
        }
        try {
            store.delete(session.getId());
        } catch (SessionStoreException e) {
            storeFailed("invalidate", e);
        }
    }

    private void createInStore(SharedSession session) {
        SessionDelta everything = session.pendingChanges();
        SessionRecord record = everything.applyTo(session.unsavedBase(), clock.millis());
        String id = reserve(record);
        if (!id.equals(session.getId())) {
            session.renamed(id);
        }
        session.saved(everything, record.withId(id));
    }

    /** Stores {@code record} with {@code add} under its id, or under a fresh one if that id is taken. */
    private String reserve(SessionRecord record) {
        SessionRecord candidate = record;
        for (int attempt = 1; attempt <= MAX_ID_ATTEMPTS; attempt++) {
            metrics.recordSave();
            if (store.create(candidate.id(), sessionCodec.encode(candidate), candidate.maxInactiveInterval())) {
                return candidate.id();
            }
            candidate = candidate.withId(ids.newId());
        }
        throw new SessionStoreException("no free session id after " + MAX_ID_ATTEMPTS + " attempts", null);
    }

    private void mergeIntoStore(SharedSession session, SessionDelta delta) {
        String id = session.getId();
        for (int attempt = 1; attempt <= MAX_SAVE_ATTEMPTS; attempt++) {
            if (session.storedVersion() != SharedSession.UNKNOWN_VERSION) {
                SessionRecord merged = delta.applyTo(session.stored(), clock.millis());
                metrics.recordSave();
                SaveOutcome outcome = store.replace(id, sessionCodec.encode(merged), session.storedVersion(),
                        merged.maxInactiveInterval());
                if (outcome == SaveOutcome.SAVED) {
                    session.saved(delta, merged);
                    return;
                }
                if (outcome == SaveOutcome.GONE) {
                    session.lost();
                    return;
                }
                metrics.recordSaveConflict();
            }
            Optional<StoredSession> current = store.load(id);
            SessionRecord currentRecord = current.map(found -> decodeOrNull(id, found)).orElse(null);
            if (currentRecord == null) {
                LOG.debug("session disappeared while a request was changing it; its changes are dropped");
                session.lost();
                return;
            }
            session.rebase(currentRecord, current.get().version());
        }
        LOG.warn("session changes dropped: {} concurrent writers won every compare-and-set in a row",
                MAX_SAVE_ATTEMPTS);
    }

    private SessionRecord decode(String id, byte[] document) {
        SessionRecord record = sessionCodec.decode(document);
        if (!record.id().equals(id)) {
            throw new UnreadableSessionException("the document stored for a session names another id");
        }
        return record;
    }

    private SessionRecord decodeOrNull(String id, StoredSession stored) {
        try {
            return decode(id, stored.document());
        } catch (UnreadableSessionException e) {
            metrics.recordUnreadable();
            LOG.warn("a stored session cannot be read and is treated as absent: {}", e.getMessage());
            return null;
        }
    }

    private void storeFailed(String operation, SessionStoreException e) {
        metrics.recordStoreFailure();
        LOG.warn("session {} failed, the request goes on without it: {}", operation, e.getMessage());
    }
}
