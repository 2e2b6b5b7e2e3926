package io.memsession;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * What one request changed in a session since it was loaded (or last saved by this request): the
 * attributes it wrote, in encoded form, the ones it removed, and a new inactivity interval.
 *
 * <p>Applying a delta to whatever the store holds now, rather than writing the whole session this
 * request saw, is what lets concurrent requests that change different attributes all survive.
 */
record SessionDelta(Map<String, byte[]> written, Set<String> removed, OptionalInt maxInactiveInterval) {

    SessionDelta {
        written = Map.copyOf(written);
        removed = Set.copyOf(removed);
    }

    boolean isEmpty() {
        return written.isEmpty() && removed.isEmpty() && maxInactiveInterval.isEmpty();
    }

    /**
     * {@code base} with this delta applied, stamped as accessed at {@code now}, or later if a
     * concurrent request that {@code base} comes from was received later.
     */
    SessionRecord applyTo(SessionRecord base, long now) {
        Map<String, byte[]> attributes = new LinkedHashMap<>(base.attributes());
        attributes.keySet().removeAll(removed);
        attributes.putAll(written);
        return new SessionRecord(base.id(), base.creationTime(), Math.max(now, base.lastAccessedTime()),
                maxInactiveInterval.orElse(base.maxInactiveInterval()), attributes);
    }
}
