package io.memsession;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of what the session layer did, for monitoring: published as the servlet context attribute
 * {@value #CONTEXT_ATTRIBUTE} by {@link MemcachedSessionFilter}.
 *
 * <p>All counts are since the filter started, on this node only.
 */
public final class SessionMetrics {

    /** The servlet context attribute under which the filter publishes its metrics. */
    public static final String CONTEXT_ATTRIBUTE = "io.memsession.SessionMetrics";

    private final LongAdder loads = new LongAdder();
    private final LongAdder loadNanos = new LongAdder();
    private final LongAdder saves = new LongAdder();
    private final LongAdder touches = new LongAdder();
    private final LongAdder saveConflicts = new LongAdder();
    private final LongAdder droppedSaves = new LongAdder();
    private final LongAdder oversizedSaves = new LongAdder();
    private final LongAdder unreadableSessions = new LongAdder();
    private final LongAdder storeFailures = new LongAdder();

    SessionMetrics() {
    }

    /** Sessions read from the store (a hit or a miss). */
    public long loads() {
        return loads.sum();
    }

    /**
     * Time spent waiting for the store in {@linkplain #loads() loads}, in nanoseconds, failed ones included:
     * {@code loadNanos() / loads()} is the mean load latency, the store's share of a request that reads its
     * session.
     */
    public long loadNanos() {
        return loadNanos.sum();
    }

    /** Session documents written (created, replaced or moved to a new id). */
    public long saves() {
        return saves.sum();
    }

    /** Unchanged sessions whose expiry was extended without rewriting them. */
    public long touches() {
        return touches.sum();
    }

    /** Writes that found the session changed by a concurrent request and merged into it. */
    public long saveConflicts() {
        return saveConflicts.sum();
    }

    /**
     * Saves given up after too many compare-and-set conflicts in a row, or dropped because the request
     * did not hold (or lost) the session lock: that request's session changes are lost.
     */
    public long droppedSaves() {
        return droppedSaves.sum();
    }

    /**
     * Saves refused because the encoded session was larger than the store accepts
     * ({@code maxSessionBytes}); the copy stored before stays as it was.
     */
    public long oversizedSaves() {
        return oversizedSaves.sum();
    }

    /** Stored sessions that could not be read back (unknown format or a class no longer allowed or present). */
    public long unreadableSessions() {
        return unreadableSessions.sum();
    }

    /** Store operations that failed or timed out; the request went on without the session operation. */
    public long storeFailures() {
        return storeFailures.sum();
    }

    void recordLoad(long nanos) {
        loads.increment();
        loadNanos.add(nanos);
    }

    void recordSave() {
        saves.increment();
    }

    void recordTouch() {
        touches.increment();
    }

    void recordSaveConflict() {
        saveConflicts.increment();
    }

    void recordDroppedSave() {
        droppedSaves.increment();
    }

    void recordOversizedSave() {
        oversizedSaves.increment();
    }

    void recordUnreadable() {
        unreadableSessions.increment();
    }

    void recordStoreFailure() {
        storeFailures.increment();
    }
}
