package io.memsession;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sessions this node has served recently and when each would expire, so that the
 * {@link ExpirySweeper} can announce the end of sessions whose users never come back: memcached
 * forgets expired items silently.
 *
 * <p>Bounded: beyond {@code capacity} sessions new ones are not watched (their end is then announced
 * only if their id comes back). Disabled entirely when nothing could hear the announcement (no
 * session listeners and no application classes that could be binding listeners).
 */
final class ExpiryWatch {

    static final ExpiryWatch DISABLED = new ExpiryWatch(0);

    private final int capacity;
    private final ConcurrentHashMap<String, Long> deadlines = new ConcurrentHashMap<>();

    ExpiryWatch(int capacity) {
        this.capacity = capacity;
    }

    boolean isEnabled() {
        return capacity > 0;
    }

    /** The session was last used at {@code lastAccess}; it expires {@code maxInactiveInterval} seconds later. */
    void observe(String id, long lastAccess, int maxInactiveInterval) {
        if (!isEnabled()) {
            return;
        }
        if (maxInactiveInterval <= 0) {
            deadlines.remove(id);
            return;
        }
        long deadline = lastAccess + maxInactiveInterval * 1000L;
        if (deadlines.size() < capacity || deadlines.containsKey(id)) {
            deadlines.merge(id, deadline, Math::max);
        }
    }

    void forget(String id) {
        if (isEnabled()) {
            deadlines.remove(id);
        }
    }

    /** The watched sessions whose deadline has passed by {@code now}. */
    List<String> dueBy(long now) {
        List<String> due = new ArrayList<>();
        deadlines.forEach((id, deadline) -> {
            if (deadline < now) {
                due.add(id);
            }
        });
        return due;
    }
}
