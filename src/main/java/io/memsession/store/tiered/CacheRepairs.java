package io.memsession.store.tiered;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sessions whose copy in memcached may be stale: a write of it to memcached failed or timed out after
 * the database had taken the change (the command may even still be queued in a hung memcached). Until
 * it is repaired, this node never serves such a session from memcached, and the tier's maintenance
 * rewrites its copy from the database as soon as memcached answers again.
 *
 * <p>Bounded: beyond {@code capacity} ids, further ones are counted as lost and logged by the caller.
 */
final class CacheRepairs {

    private final Set<String> ids = ConcurrentHashMap.newKeySet();
    private final int capacity;
    private final LongAdder overflows = new LongAdder();

    CacheRepairs(int capacity) {
        this.capacity = capacity;
    }

    /** Remembers {@code id}; false when full, in which case it is counted as an overflow. */
    boolean add(String id) {
        if (ids.size() >= capacity && !ids.contains(id)) {
            overflows.increment();
            return false;
        }
        ids.add(id);
        return true;
    }

    boolean contains(String id) {
        return !ids.isEmpty() && ids.contains(id);
    }

    void done(String id) {
        ids.remove(id);
    }

    boolean isEmpty() {
        return ids.isEmpty();
    }

    int size() {
        return ids.size();
    }

    long overflows() {
        return overflows.sum();
    }

    /** Up to {@code max} pending ids, in no particular order. */
    List<String> some(int max) {
        List<String> batch = new ArrayList<>(Math.min(max, ids.size()));
        for (String id : ids) {
            if (batch.size() >= max) {
                break;
            }
            batch.add(id);
        }
        return batch;
    }
}
