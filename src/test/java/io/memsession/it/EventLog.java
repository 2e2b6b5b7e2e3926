package io.memsession.it;

import jakarta.servlet.http.HttpSession;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * What the test listeners and test attribute values heard, in the order they heard it, across every node of
 * the JVM. Thread-safe; {@link #clear()} between tests. Tests select the events of their own session ids, so
 * a late event of an earlier test's session (a sweep) cannot confuse them.
 */
final class EventLog {

    /**
     * One callback.
     *
     * @param seq        global order of recording (1, 2, ...)
     * @param type       the callback: sessionCreated, sessionDestroyed, attributeAdded, attributeReplaced,
     *                   attributeRemoved, sessionIdChanged, valueBound, valueUnbound, sessionWillPassivate,
     *                   sessionDidActivate
     * @param source     simple class name of the listener or attribute value that heard it
     * @param instance   identity hash of that listener or value object
     * @param node       the node: {@code ServletContext.getServletContextName()} of the event's session
     * @param sessionId  {@code getId()} of the event's session at callback time
     * @param name       attribute name (attribute and binding events), else null
     * @param value      {@code String.valueOf} of the event value (the old value for attributeReplaced), else null
     * @param attributes for sessionDestroyed: every attribute as read in the callback, or null when reading
     *                   threw (see {@code note})
     * @param note       callback-specific detail, e.g. {@code oldId=...}, {@code visible=...}, {@code current=...}
     * @param thread     the thread the callback ran on
     */
    record Event(long seq, String type, String source, int instance, String node, String sessionId, String name,
            String value, Map<String, String> attributes, String note, String thread) {

        boolean readable() {
            return attributes != null;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder().append('#').append(seq).append(' ').append(type).append(" by ")
                    .append(source).append('@').append(node).append(" id=").append(sessionId);
            if (name != null) {
                sb.append(" name=").append(name).append(" value=").append(value);
            }
            if (attributes != null) {
                sb.append(" attributes=").append(attributes);
            }
            if (note != null) {
                sb.append(" (").append(note).append(')');
            }
            return sb.append(" [").append(thread).append(']').toString();
        }
    }

    private static final AtomicLong SEQ = new AtomicLong();
    private static final List<Event> EVENTS = Collections.synchronizedList(new ArrayList<>());

    private EventLog() {
    }

    /** Records one callback; never throws into the code under test. */
    static void record(String type, Object source, HttpSession session, String name, Object value,
            Map<String, String> attributes, String note) {
        String node;
        String id;
        try {
            node = session == null ? null : session.getServletContext().getServletContextName();
        } catch (RuntimeException e) {
            node = "?" + e.getClass().getSimpleName();
        }
        try {
            id = session == null ? null : session.getId();
        } catch (RuntimeException e) {
            id = "?" + e.getClass().getSimpleName();
        }
        synchronized (EVENTS) {
            EVENTS.add(new Event(SEQ.incrementAndGet(), type, source.getClass().getSimpleName(),
                    System.identityHashCode(source), node, id, name, name == null ? null : String.valueOf(value),
                    attributes == null ? null : Collections.unmodifiableMap(new TreeMap<>(attributes)), note,
                    Thread.currentThread().getName()));
        }
    }

    /** The sequence number of the latest event so far (0 when none). */
    static long lastSeq() {
        return SEQ.get();
    }

    static void clear() {
        EVENTS.clear();
    }

    static List<Event> all() {
        synchronized (EVENTS) {
            return List.copyOf(EVENTS);
        }
    }

    static List<Event> where(Predicate<Event> filter) {
        return all().stream().filter(filter).toList();
    }

    /** Events about any of {@code ids}, in order. */
    static List<Event> forSessions(String... ids) {
        Set<String> wanted = Set.of(ids);
        return where(e -> wanted.contains(e.sessionId()));
    }

    /** Events with {@code after < seq <= upTo}, in order. */
    static List<Event> between(long after, long upTo) {
        return where(e -> e.seq() > after && e.seq() <= upTo);
    }

    /** Every event, one per line, for failure messages. */
    static String dump() {
        StringBuilder sb = new StringBuilder("event log:");
        all().forEach(e -> sb.append("\n  ").append(e));
        return sb.toString();
    }
}
