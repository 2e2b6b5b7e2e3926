package io.memsession;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sessions this node decoded recently, so that a session that did not change since this node last saw
 * it is not decoded again: its JSON is the bulk of a load's CPU.
 *
 * <p>An entry is used only when the document the store just returned is byte for byte the one the
 * entry was decoded from, so it can never serve a stale or foreign session, whatever happened on other
 * nodes or to memcached meanwhile: the store is still asked on every load, and any change there is a
 * miss here. It holds, per attribute, a <em>template</em>: the value decoded from exactly the bytes the
 * entry's record holds for it, never handed out; each load gets its own copy of mutable templates
 * (through {@link PristineCopy}), immutable ones as they are. Attributes whose values cannot be copied
 * that way (application objects) have no template and are decoded on every load, as without the cache.
 *
 * <p>Bounded by {@code capacity} entries; beyond it an arbitrary entry makes room (a cheap approximation
 * of least-recently-used that needs no lock on the read path). A capacity of 0 turns it off.
 */
final class DecodedSessionCache {

    /**
     * One decoded session.
     *
     * @param document the stored document it was decoded from
     * @param record the decoded record (attributes still encoded), as stored
     * @param templates decoded attribute values, each decoded from {@code record}'s bytes for it
     */
    record Entry(byte[] document, SessionRecord record, Map<String, Object> templates) {
    }

    private final int capacity;
    private final ConcurrentHashMap<String, Entry> entries;

    DecodedSessionCache(int capacity) {
        this.capacity = capacity;
        this.entries = new ConcurrentHashMap<>(Math.min(capacity, 1 << 16));
    }

    /** The entry for {@code id} if it was decoded from exactly {@code document}; null otherwise. */
    Entry lookup(String id, byte[] document) {
        if (capacity == 0) {
            return null;
        }
        Entry entry = entries.get(id);
        return entry != null && Arrays.equals(entry.document(), document) ? entry : null;
    }

    /**
     * Remembers what {@code id}'s {@code document} decodes to. Templates of the entry it replaces carry
     * over for attributes whose encoded bytes did not change (a save that changed one attribute keeps
     * the others' templates), so a session written here is read back here without decoding.
     *
     * @param fresh templates decoded from {@code record} just now; the caller hands them over and never
     *     gives them out
     */
    void remember(String id, byte[] document, SessionRecord record, Map<String, Object> fresh) {
        if (capacity == 0) {
            return;
        }
        Map<String, Object> templates = new HashMap<>(fresh);
        Entry previous = entries.get(id);
        if (previous != null) {
            previous.templates().forEach((name, template) -> {
                byte[] now = record.attributes().get(name);
                if (now != null && !templates.containsKey(name)
                        && Arrays.equals(now, previous.record().attributes().get(name))) {
                    templates.put(name, template);
                }
            });
        }
        if (previous == null && entries.size() >= capacity) {
            evictOne();
        }
        entries.put(id, new Entry(document, record, Map.copyOf(templates)));
    }

    /** Drops what is known of {@code id} (invalidated, renamed, expired). */
    void forget(String id) {
        entries.remove(id);
    }

    int size() {
        return entries.size();
    }

    private void evictOne() {
        Iterator<String> ids = entries.keySet().iterator();
        if (ids.hasNext()) {
            entries.remove(ids.next());
        }
    }

    /**
     * The value a load hands to the application for a template: the template itself when immutable,
     * otherwise a deep copy of it (every template is immutable or copyable, see {@link #templateOf}).
     */
    static Object valueFrom(Object template) {
        return AttributeCodec.isImmutable(template) ? template : PristineCopy.of(template);
    }

    /**
     * A template for a value just decoded (and about to be handed out): the value itself when immutable,
     * a deep copy when it is made of JDK values and collections, null when it cannot be copied.
     */
    static Object templateOf(Object value) {
        return AttributeCodec.isImmutable(value) ? value : PristineCopy.of(value);
    }
}
