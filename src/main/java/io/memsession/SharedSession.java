package io.memsession;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionActivationListener;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionBindingListener;
import jakarta.servlet.http.HttpSessionEvent;

import io.memsession.store.StoredSession;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link HttpSession} a request sees: the stored session, decoded once, plus a record of what
 * this request changed, so that a save writes only those changes.
 *
 * <p>Changes are tracked per attribute: names passed to {@code setAttribute}/{@code removeAttribute},
 * and mutable values handed out by {@code getAttribute} (a list or an application object changed in
 * place). At save time each candidate is encoded and compared with the form it was loaded in, so a
 * value set again to an equal value, or read without being changed, costs no write. A value made only of
 * JDK value types and collections is first compared with a deep copy taken when it was handed out, so
 * that one only read is not even encoded.
 *
 * <p>One instance serves one request and is not shared between threads.
 */
final class SharedSession implements HttpSession {

    private static final Logger LOG = LoggerFactory.getLogger(SharedSession.class);

    private final SessionServices services;
    private final SessionRepository repository;
    private final boolean isNew;
    private final long creationTime;
    private final long lastAccessedTime;

    private String id;
    private int maxInactiveInterval;
    private boolean intervalChanged;
    private boolean valid = true;
    /** A stand-in while the store does not answer: never stored, never announced. */
    private boolean detached;
    /** Asked before the session is ended or moved by this request; see {@link #guardWrites}. */
    private Runnable beforeDestructiveWrite = () -> { };
    /** Inside {@link #end()}: listeners that call {@code invalidate()} again are ignored, as Tomcat does. */
    private boolean ending;

    /** The session as the store holds it, as far as this request knows; null until first stored. */
    private SessionRecord stored;
    /** Version of {@link #stored} for compare-and-set; {@link #UNKNOWN_VERSION} after our own write. */
    private long storedVersion;
    /** Encoded attributes as this request loaded or last saved them: the reference for change detection. */
    private final Map<String, byte[]> baseline;
    private final Map<String, Object> values;
    private final Set<String> written = new LinkedHashSet<>();
    private final Set<String> handedOutMutable = new HashSet<>();
    /**
     * Deep copies of JDK-typed values taken when first handed out, still matching {@link #baseline}:
     * comparing with them spares encoding a value that was only read (see {@link PristineCopy}).
     */
    private final Map<String, Object> pristine = new HashMap<>();
    /**
     * For the size check of {@code setAttribute}: each attribute's size in the document as this request
     * last knew it, and their sum with the frame; built at the first {@code setAttribute}, null until then.
     */
    private Map<String, Long> knownSizes;
    private long knownBytes;

    static final long UNKNOWN_VERSION = -1;

    /** What the store returned when this request loaded the session; null for a new session. */
    private final StoredSession loadedFrom;

    private SharedSession(SessionServices services, SessionRepository repository, SessionRecord stored,
            StoredSession loadedFrom, Map<String, Object> values, boolean isNew) {
        this.services = services;
        this.repository = repository;
        this.loadedFrom = loadedFrom;
        long storedVersion = loadedFrom == null ? UNKNOWN_VERSION : loadedFrom.version();
        this.stored = isNew ? null : stored;
        this.storedVersion = storedVersion;
        this.isNew = isNew;
        this.id = stored.id();
        this.creationTime = stored.creationTime();
        this.lastAccessedTime = stored.lastAccessedTime();
        this.maxInactiveInterval = stored.maxInactiveInterval();
        this.baseline = new HashMap<>(stored.attributes());
        this.values = new LinkedHashMap<>(values);
    }

    /**
     * A session loaded from the store, with its attributes already decoded; {@code record} carries the
     * time of the previous request as its last access time.
     */
    static SharedSession loaded(SessionServices services, SessionRepository repository, SessionRecord record,
            StoredSession loadedFrom, Map<String, Object> values) {
        return new SharedSession(services, repository, record, loadedFrom, values, false);
    }

    /**
     * As {@link #loaded(SessionServices, SessionRepository, SessionRecord, StoredSession, Map)}, with
     * pristine copies known already: for values copied from {@link DecodedSessionCache} templates, the
     * template itself (never changed, never handed out) serves as the copy, so none is taken when the
     * value is first handed out.
     */
    static SharedSession loaded(SessionServices services, SessionRepository repository, SessionRecord record,
            StoredSession loadedFrom, Map<String, Object> values, Map<String, Object> pristineCopies) {
        SharedSession session = new SharedSession(services, repository, record, loadedFrom, values, false);
        session.pristine.putAll(pristineCopies);
        return session;
    }

    /** A session created by this request; nothing is stored until its first save. */
    static SharedSession created(SessionServices services, SessionRepository repository, SessionRecord fresh) {
        return new SharedSession(services, repository, fresh, null, Map.of(), true);
    }

    // ---- HttpSession ------------------------------------------------------------------------

    @Override
    public long getCreationTime() {
        checkValid("getCreationTime");
        return creationTime;
    }

    @Override
    public String getId() {
        return id;
    }

    @Override
    public long getLastAccessedTime() {
        checkValid("getLastAccessedTime");
        return lastAccessedTime;
    }

    @Override
    public ServletContext getServletContext() {
        return services.servletContext();
    }

    @Override
    public void setMaxInactiveInterval(int interval) {
        if (interval != maxInactiveInterval) {
            maxInactiveInterval = interval;
            intervalChanged = true;
        }
    }

    @Override
    public int getMaxInactiveInterval() {
        return maxInactiveInterval;
    }

    @Override
    public Object getAttribute(String name) {
        checkValid("getAttribute");
        Object value = values.get(name);
        if (value != null && services.detectMutations() && !AttributeCodec.isImmutable(value)
                && handedOutMutable.add(name) && !written.contains(name)) {
            // first hand-out of the value as loaded: nobody else holds it yet, so a copy now is pristine
            // (unless the load brought one)
            if (!pristine.containsKey(name)) {
                Object copy = PristineCopy.of(value);
                if (copy != null) {
                    pristine.put(name, copy);
                }
            }
        }
        return value;
    }

    /**
     * The attribute {@code name} when it is a string, read without handing it out (for the library's
     * own use: no change tracking follows).
     */
    String stringAttribute(String name) {
        return values.get(name) instanceof String value ? value : null;
    }

    @Override
    public Enumeration<String> getAttributeNames() {
        checkValid("getAttributeNames");
        return Collections.enumeration(new ArrayList<>(values.keySet()));
    }

    /**
     * Binding events come first, then attribute-listener events, as containers do: the new value's
     * {@code valueBound} before it is visible, the old value's {@code valueUnbound} after it is gone.
     */
    @Override
    public void setAttribute(String name, Object value) {
        checkValid("setAttribute");
        if (name == null || !TypedValueWriter.isStorableName(name)) {
            throw new IllegalArgumentException("attribute name must be a non-null string of valid Unicode, at most "
                    + TypedValueWriter.MAX_NAME_LENGTH + " characters");
        }
        if (value == null) {
            removeAttribute(name);
            return;
        }
        services.codec().checkStorable(value);
        checkSize(name, value);
        Object old = values.get(name);
        if (value != old && value instanceof HttpSessionBindingListener bound) {
            bound.valueBound(new HttpSessionBindingEvent(this, name, value));
        }
        values.put(name, value);
        written.add(name);
        pristine.remove(name);
        if (old != null && old != value && old instanceof HttpSessionBindingListener unbound) {
            unbound.valueUnbound(new HttpSessionBindingEvent(this, name, old));
        }
        if (old == null) {
            services.listeners().attributeAdded(this, name, value);
        } else {
            services.listeners().attributeReplaced(this, name, old);
        }
    }

    @Override
    public void removeAttribute(String name) {
        checkValid("removeAttribute");
        Object old = values.remove(name);
        if (old == null) {
            return;
        }
        if (knownSizes != null) {
            Long size = knownSizes.remove(name);
            knownBytes -= size == null ? 0 : size;
        }
        written.add(name);
        pristine.remove(name);
        if (old instanceof HttpSessionBindingListener unbound) {
            unbound.valueUnbound(new HttpSessionBindingEvent(this, name, old));
        }
        services.listeners().attributeRemoved(this, name, old);
    }

    @Override
    public void invalidate() {
        checkValid("invalidate");
        if (!ending) {
            beforeDestructiveWrite.run();
            repository.invalidate(this);
        }
    }

    @Override
    public boolean isNew() {
        checkValid("isNew");
        return isNew;
    }

    // ---- for the repository -----------------------------------------------------------------

    boolean isValid() {
        return valid;
    }

    /** Whether the store holds this session (false for a new session before its first save). */
    boolean isStored() {
        return stored != null;
    }

    SessionRecord stored() {
        return stored;
    }

    long storedVersion() {
        return storedVersion;
    }

    /** Everything this request changed since the session was loaded or last saved; encodes candidates. */
    SessionDelta pendingChanges() {
        Map<String, byte[]> changed = new LinkedHashMap<>();
        Set<String> removed = new HashSet<>();
        for (String name : written) {
            Object value = values.get(name);
            if (value == null) {
                if (baseline.containsKey(name)) {
                    removed.add(name);
                }
            } else {
                addIfChanged(changed, name, value);
            }
        }
        for (String name : handedOutMutable) {
            Object value = values.get(name);
            if (value != null && !written.contains(name)) {
                Object copy = pristine.get(name);
                if (copy == null || !PristineCopy.same(value, copy)) {
                    addIfChanged(changed, name, value);
                }
            }
        }
        OptionalInt interval = intervalChanged ? OptionalInt.of(maxInactiveInterval) : OptionalInt.empty();
        return new SessionDelta(changed, removed, interval);
    }

    /** Identity, times and interval with no attributes: what a new session's first write builds on. */
    SessionRecord unsavedBase() {
        return new SessionRecord(id, creationTime, lastAccessedTime, maxInactiveInterval, Map.of());
    }

    /** The store now holds {@code record}, which includes {@code delta}; its new version is unknown. */
    void saved(SessionDelta delta, SessionRecord record) {
        baseline.keySet().removeAll(delta.removed());
        baseline.putAll(delta.written());
        // a copy still matches the baseline only where nothing was written
        pristine.keySet().removeAll(delta.written().keySet());
        pristine.keySet().removeAll(delta.removed());
        if (services.detectMutations()) {
            // a value set before this save may still be changed in place afterwards
            for (String name : written) {
                Object value = values.get(name);
                if (value != null && !AttributeCodec.isImmutable(value)) {
                    handedOutMutable.add(name);
                }
            }
        }
        written.clear();
        knownSizes = null;
        intervalChanged = false;
        stored = record;
        storedVersion = UNKNOWN_VERSION;
    }

    /** A concurrent request's document replaced ours as the base to merge into. */
    void rebase(SessionRecord record, long version) {
        stored = record;
        storedVersion = version;
    }

    /** After {@code changeSessionId}: the session lives on under {@code newId}. */
    void renamed(String newId) {
        id = newId;
    }

    /**
     * Announces the end of the session: {@code sessionDestroyed} while the attributes are still
     * readable, then each attribute is removed with its unbinding and attribute events; afterwards the
     * session is invalid. Nothing of this is stored: the caller deletes the session.
     */
    void end() {
        if (!valid || ending) {
            return;
        }
        ending = true;
        try {
            services.listeners().sessionDestroyed(this);
            for (String name : new ArrayList<>(values.keySet())) {
                removeAttribute(name);
            }
        } finally {
            valid = false;
        }
    }

    /** The session is gone without announcement (another node announced it, or nobody listens). */
    void discard() {
        valid = false;
    }

    /** {@code sessionDidActivate} for every attribute value that listens, after a load. */
    void activated() {
        HttpSessionEvent event = null;
        for (Object value : values.values()) {
            if (value instanceof HttpSessionActivationListener listener) {
                event = event == null ? new HttpSessionEvent(this) : event;
                listener.sessionDidActivate(event);
            }
        }
    }

    /**
     * {@code sessionWillPassivate} for every attribute value that listens, before the session is
     * written.
     *
     * @return whether any value listened (and so may have changed itself)
     */
    boolean passivating() {
        HttpSessionEvent event = null;
        for (Object value : new ArrayList<>(values.values())) {
            if (value instanceof HttpSessionActivationListener listener) {
                event = event == null ? new HttpSessionEvent(this) : event;
                listener.sessionWillPassivate(event);
            }
        }
        return event != null;
    }

    void detach() {
        detached = true;
    }

    boolean isDetached() {
        return detached;
    }

    /**
     * Whether a save would write the document: exact for values only read (compared with their pristine
     * copies), an upper bound once anything was set, removed or re-timed, which a save almost always
     * writes. Lets a locked request skip asking memcached whether it still holds its lock when it has
     * nothing to write.
     */
    boolean hasChanges() {
        if (!isStored() || intervalChanged || !written.isEmpty()) {
            return true;
        }
        return !handedOutMutable.isEmpty() && !pendingChanges().isEmpty();
    }

    /** A cheap upper bound: false means {@link #pendingChanges()} is certainly empty. */
    boolean mayHaveChanges() {
        return !isStored() || intervalChanged || !written.isEmpty() || !handedOutMutable.isEmpty();
    }

    /**
     * In lock mode, the request's check that it may still write (it holds the lock): run before
     * {@code invalidate()} deletes the session; it throws when the request may not.
     */
    void guardWrites(Runnable check) {
        beforeDestructiveWrite = check;
    }

    StoredSession loadedFrom() {
        return loadedFrom;
    }

    SessionListeners listeners() {
        return services.listeners();
    }

    private void addIfChanged(Map<String, byte[]> changed, String name, Object value) {
        byte[] encoded;
        try {
            encoded = services.codec().encode(value);
        } catch (IllegalArgumentException e) {
            // setAttribute checked the value; only content added to it afterwards can fail here
            LOG.error("session attribute '{}' ({}) cannot be stored and keeps its previous stored value: {}",
                    name, value.getClass().getName(), e.getMessage());
            return;
        }
        if (!Arrays.equals(encoded, baseline.get(name))) {
            changed.put(name, encoded);
        }
    }

    /**
     * Refuses a value that would make the session larger than its save can store: the application hears
     * it in the request that caused it, with the attribute not set. Costs no encoding unless the session
     * comes near the limit (see {@link SessionSizeLimit}); a refusal is checked against what a save would
     * write now, so a value is refused only when the save would certainly be.
     */
    private void checkSize(String name, Object value) {
        SessionSizeLimit limit = services.sizeLimit();
        if (knownSizes == null) {
            countKnownSizes();
        }
        Long previous = knownSizes.get(name);
        long others = knownBytes - (previous == null ? 0 : previous);
        long entry = SessionCodec.entryBytesAtLeast(name);
        long bytes = SessionSizeLimit.bytesAtLeast(value);
        if (limit.isNear(others + entry + bytes)) {
            bytes = encodedLength(value, bytes);
            if (others + entry + bytes > limit.certainBytes()) {
                long atLeast = bytesOfSaveWithout(name) + entry + bytes;
                if (atLeast > limit.certainBytes()) {
                    throw new IllegalStateException("setAttribute(\"" + name + "\"): the session would be at least "
                            + atLeast + " bytes encoded, more than " + limit.limitName() + " (" + limit.certainBytes()
                            + "), and could not be saved; the attribute is not set");
                }
            }
        }
        knownSizes.put(name, entry + bytes);
        knownBytes = others + entry + bytes;
    }

    /** Attributes this request did not write count as loaded; the others by a bound, unencoded. */
    private void countKnownSizes() {
        knownSizes = new HashMap<>();
        knownBytes = SessionCodec.frameBytesAtLeast(id);
        for (Map.Entry<String, Object> attribute : values.entrySet()) {
            String name = attribute.getKey();
            byte[] loaded = written.contains(name) ? null : baseline.get(name);
            long size = SessionCodec.entryBytesAtLeast(name)
                    + (loaded != null ? loaded.length : SessionSizeLimit.bytesAtLeast(attribute.getValue()));
            knownSizes.put(name, size);
            knownBytes += size;
        }
    }

    /**
     * Fewer bytes than the document a save would write now without attribute {@code skipped}: the stored
     * attributes, with those this request wrote or may have changed in place encoded as they are now.
     */
    private long bytesOfSaveWithout(String skipped) {
        Map<String, byte[]> attributes = new HashMap<>(stored == null ? Map.of() : stored.attributes());
        Set<String> touched = new HashSet<>(written);
        touched.addAll(handedOutMutable);
        for (String name : touched) {
            Object value = values.get(name);
            if (value == null) {
                attributes.remove(name);
            } else {
                byte[] encoded = encodedOrNull(value);
                if (encoded != null) {
                    attributes.put(name, encoded);
                }
            }
        }
        attributes.remove(skipped);
        long bytes = SessionCodec.frameBytesAtLeast(id);
        for (Map.Entry<String, byte[]> attribute : attributes.entrySet()) {
            bytes += SessionCodec.entryBytesAtLeast(attribute.getKey()) + attribute.getValue().length;
        }
        return bytes;
    }

    private long encodedLength(Object value, long bound) {
        byte[] encoded = encodedOrNull(value);
        return encoded == null ? bound : encoded.length;
    }

    /** Null when the value cannot be encoded: the save logs that, and keeps the stored value. */
    private byte[] encodedOrNull(Object value) {
        try {
            return services.codec().encode(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void checkValid(String method) {
        if (!valid) {
            throw new IllegalStateException(method + ": the session has been invalidated");
        }
    }
}
