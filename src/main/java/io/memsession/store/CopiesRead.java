package io.memsession.store;

import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one read of a session's copies found on each server ({@link ReplicatedSessionStore}): which
 * copies answered, which one is newest, and which are stale and need it written back.
 */
final class CopiesRead {

    private static final Logger LOG = LoggerFactory.getLogger(CopiesRead.class);

    /** Per copy, in ring order: what it holds; null when it did not answer. */
    private final Copy[] copies;
    /** Index of the copy served, or -1 when no copy holds the session. */
    private final int newest;

    private CopiesRead(Copy[] copies) {
        this.copies = copies;
        int best = -1;
        for (int i = 0; i < copies.length; i++) {
            if (copies[i] != null && copies[i].stored != null
                    && (best < 0 || copies[i].revision() > copies[best].revision())) {
                best = i;
            }
        }
        this.newest = best;
    }

    /**
     * Loads every copy.
     *
     * @throws SessionStoreException the owner's failure, when no copy answers
     */
    static CopiesRead of(String id, List<MemcachedSessionStore> stores) {
        Copy[] copies = new Copy[stores.size()];
        SessionStoreException failure = null;
        boolean answered = false;
        for (int i = 0; i < copies.length; i++) {
            try {
                copies[i] = new Copy(stores.get(i).load(id).orElse(null));
                answered = true;
            } catch (SessionStoreException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (!answered) {
            throw failure;
        }
        return new CopiesRead(copies);
    }

    /** The newest copy, its document without the revision header and with its revision; empty when none. */
    Optional<StoredSession> newest() {
        if (newest < 0) {
            return Optional.empty();
        }
        StoredSession stored = copies[newest].stored;
        RevisionedDocument document = copies[newest].document;
        long lastAccess = stored.lastAccessTime();
        for (Copy copy : copies) {
            // an unchanged session's accesses are recorded beside each copy: the latest counts
            if (copy != null && copy.stored != null) {
                lastAccess = Math.max(lastAccess, copy.stored.lastAccessTime());
            }
        }
        return Optional.of(new StoredSession(document.document(), authoritativeVersion(), lastAccess,
                stored.lifeRenewedAt(), StoredSession.UNKNOWN_ACCESS_TIME, document.revision()));
    }

    /**
     * The compare-and-set version of the first copy that answered, where writes go; when that copy is
     * stale (and so repaired), one that no copy holds, so that a write against it reloads first.
     */
    long authoritativeVersion() {
        for (Copy copy : copies) {
            if (copy != null) {
                return isStale(copy) ? ReplicatedSessionStore.NO_CURRENT_VERSION : copy.stored.version();
            }
        }
        return ReplicatedSessionStore.NO_CURRENT_VERSION;
    }

    private boolean isStale(Copy copy) {
        return copy.stored == null || copy.revision() < copies[newest].revision();
    }

    /**
     * Writes the newest copy back to every answering server that lacks it or holds an older one:
     * {@code add} where it is missing, {@code cas} against the stale copy's version where it is older, so
     * that a write that happened meanwhile is kept.
     *
     */
    void repairStale(String id, List<MemcachedSessionStore> stores) {
        Copy source = copies[newest];
        SessionStore.Access access = source.access();
        for (int i = 0; i < copies.length; i++) {
            Copy copy = copies[i];
            if (copy == null || !isStale(copy)) {
                continue;
            }
            try {
                if (copy.stored == null) {
                    stores.get(i).create(id, source.stored.document(), access);
                } else {
                    stores.get(i).replace(id, source.stored.document(), copy.stored.version(), null, access);
                }
            } catch (SessionStoreException e) {
                LOG.debug("repairing a stale session copy failed; the next read tries again", e);
            }
        }
    }

    private record Copy(StoredSession stored, RevisionedDocument document) {

        Copy(StoredSession stored) {
            this(stored, stored == null ? null : RevisionedDocument.decode(stored.document()));
        }

        long revision() {
            return document.revision();
        }

        /** The access a repair records: the copy's own access time and interval. */
        SessionStore.Access access() {
            return new SessionStore.Access(stored.latestAccessTime(), document.maxInactiveSeconds());
        }
    }
}
