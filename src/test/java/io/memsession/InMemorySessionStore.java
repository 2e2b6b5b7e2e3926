package io.memsession;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.memsession.store.SaveOutcome;
import io.memsession.store.SessionStore;
import io.memsession.store.SessionStoreException;
import io.memsession.store.StoredSession;

/** A store in a map, for unit tests of the logic above the store (never as proof of the memcached path). */
final class InMemorySessionStore implements SessionStore {

    private final ConcurrentHashMap<String, StoredSession> documents = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Access> accesses = new ConcurrentHashMap<>();
    private final Set<String> endClaims = ConcurrentHashMap.newKeySet();
    private final AtomicLong versions = new AtomicLong();
    final AtomicInteger loads = new AtomicInteger();
    final AtomicInteger writes = new AtomicInteger();
    final AtomicInteger touches = new AtomicInteger();
    /** Operations ("load", "create", "delete", ...) that fail as if memcached timed out. */
    final Set<String> failing = ConcurrentHashMap.newKeySet();
    /** Operations that succeed in the store but fail on their way back, as a client-side timeout can. */
    final Set<String> failingAfterwards = ConcurrentHashMap.newKeySet();
    /** How long each load takes, as a network round trip would (0: at once). */
    volatile long loadLatencyNanos;

    private void maybeFail(String operation) {
        if (failing.contains(operation)) {
            throw new SessionStoreException("injected failure of " + operation, null);
        }
    }

    private void maybeFailAfterwards(String operation) {
        if (failingAfterwards.remove(operation)) {
            throw new SessionStoreException("injected failure after " + operation, null);
        }
    }

    @Override
    public Optional<StoredSession> load(String id) {
        maybeFail("load");
        if (loadLatencyNanos > 0) {
            LockSupport.parkNanos(loadLatencyNanos);
        }
        loads.incrementAndGet();
        StoredSession document = documents.get(id);
        if (document == null) {
            return Optional.empty();
        }
        Access access = accesses.get(id);
        long time = access == null ? StoredSession.UNKNOWN_ACCESS_TIME : access.time();
        return Optional.of(new StoredSession(document.document(), document.version(), time, time));
    }

    @Override
    public boolean create(String id, byte[] document, Access access) {
        maybeFail("create");
        writes.incrementAndGet();
        boolean created = documents.putIfAbsent(id, new StoredSession(document, versions.incrementAndGet())) == null;
        if (created) {
            accesses.put(id, access);
        }
        maybeFailAfterwards("create");
        return created;
    }

    @Override
    public SaveOutcome replace(String id, byte[] document, long expectedVersion, StoredSession previous,
            Access access) {
        writes.incrementAndGet();
        StoredSession[] outcome = new StoredSession[1];
        documents.computeIfPresent(id, (key, current) -> {
            if (current.version() != expectedVersion) {
                return current;
            }
            outcome[0] = new StoredSession(document, versions.incrementAndGet());
            return outcome[0];
        });
        if (outcome[0] != null) {
            accesses.put(id, access);
            return SaveOutcome.SAVED;
        }
        return documents.containsKey(id) ? SaveOutcome.CONFLICT : SaveOutcome.GONE;
    }

    @Override
    public boolean overwrite(String id, byte[] document, StoredSession previous, Access access) {
        writes.incrementAndGet();
        boolean replaced = documents.computeIfPresent(id,
                (key, current) -> new StoredSession(document, versions.incrementAndGet())) != null;
        if (replaced) {
            accesses.put(id, access);
        }
        return replaced;
    }

    @Override
    public void touch(String id, StoredSession previous, Access access) {
        touches.incrementAndGet();
        if (documents.containsKey(id)) {
            accesses.put(id, access);
        }
    }

    @Override
    public boolean keepAlive(String id, long accessTime) {
        Access current = accesses.get(id);
        if (current == null || !documents.containsKey(id)) {
            return false;
        }
        accesses.put(id, new Access(accessTime, current.maxInactiveSeconds()));
        return true;
    }

    @Override
    public boolean claimEnd(String id) {
        maybeFail("claimEnd");
        return endClaims.add(id);
    }

    @Override
    public void delete(String id) {
        maybeFail("delete");
        documents.remove(id);
        accesses.remove(id);
    }

    @Override
    public void close() {
    }
}
