package io.memsession;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.memsession.store.SaveOutcome;
import io.memsession.store.SessionStore;
import io.memsession.store.StoredSession;

/** A store in a map, for unit tests of the logic above the store (never as proof of the memcached path). */
final class InMemorySessionStore implements SessionStore {

    private final ConcurrentHashMap<String, StoredSession> documents = new ConcurrentHashMap<>();
    private final AtomicLong versions = new AtomicLong();
    final AtomicInteger loads = new AtomicInteger();
    final AtomicInteger writes = new AtomicInteger();
    final AtomicInteger touches = new AtomicInteger();

    @Override
    public Optional<StoredSession> load(String id) {
        loads.incrementAndGet();
        return Optional.ofNullable(documents.get(id));
    }

    @Override
    public boolean create(String id, byte[] document, int maxInactiveSeconds) {
        writes.incrementAndGet();
        return documents.putIfAbsent(id, new StoredSession(document, versions.incrementAndGet())) == null;
    }

    @Override
    public SaveOutcome replace(String id, byte[] document, long expectedVersion, int maxInactiveSeconds) {
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
            return SaveOutcome.SAVED;
        }
        return documents.containsKey(id) ? SaveOutcome.CONFLICT : SaveOutcome.GONE;
    }

    @Override
    public boolean touch(String id, int maxInactiveSeconds) {
        touches.incrementAndGet();
        return documents.containsKey(id);
    }

    @Override
    public void delete(String id) {
        documents.remove(id);
    }

    @Override
    public void close() {
    }
}
