package io.memsession;

import java.util.concurrent.atomic.LongAdder;

import io.memsession.store.ServerStatistics;

/**
 * Counters of what the session layer did, for monitoring: published as the servlet context attribute
 * {@value #CONTEXT_ATTRIBUTE} by {@link MemcachedSessionFilter}.
 *
 * <p>All counts are since the filter started, on this node only. Recording one is a {@link LongAdder}
 * increment: lock-free, no allocation. docs/operations.md "Monitoring" lists them with their JMX and
 * Micrometer names; {@link SessionMeterBinder} publishes them to Micrometer.
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
    private final LongAdder created = new LongAdder();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder invalidated = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder bytesWritten = new LongAdder();
    private final LongAdder lockWaits = new LongAdder();
    private final LongAdder lockTimeouts = new LongAdder();
    private final LatencyHistogram loadLatency = new LatencyHistogram(System.nanoTime());
    private final LatencyHistogram saveLatency = new LatencyHistogram(System.nanoTime());
    private final ServerStatistics servers;

    SessionMetrics() {
        this(ServerStatistics.NONE);
    }

    SessionMetrics(ServerStatistics servers) {
        this.servers = servers;
    }

    /** Errors, timeouts and breaker state of each configured memcached server. */
    public ServerStatistics servers() {
        return servers;
    }

    /** New sessions created by the application ({@code getSession(true)} without a session). */
    public long sessionsCreated() {
        return created.sum();
    }

    /** Requests whose session id found a live stored session. */
    public long sessionsLoaded() {
        return hits.sum();
    }

    /**
     * Requests whose session id found no live session: unknown, ended, expired or unreadable. A store
     * that did not answer is a {@linkplain #storeFailures() store failure}, not a miss.
     */
    public long sessionsMissed() {
        return misses.sum();
    }

    /** Sessions ended by the application ({@code invalidate()}). */
    public long sessionsInvalidated() {
        return invalidated.sum();
    }

    /** Sessions this node found expired, when their id came back or its expiry sweep found them. */
    public long sessionsExpired() {
        return expired.sum();
    }

    /** Bytes of session documents read from the store. */
    public long bytesRead() {
        return bytesRead.sum();
    }

    /** Bytes of session documents sent to the store. */
    public long bytesWritten() {
        return bytesWritten.sum();
    }

    /** With {@code concurrency=lock}: requests that found their session locked and waited for it. */
    public long lockWaits() {
        return lockWaits.sum();
    }

    /** With {@code concurrency=lock}: requests that did not get their session's lock within {@code lockTimeoutMillis}. */
    public long lockTimeouts() {
        return lockTimeouts.sum();
    }

    /**
     * The load latency, in microseconds, that {@code quantile} (0 to 1; 1 is the maximum) of the loads of
     * the last minute or two did not exceed, at most 25% high; 0 when there were none.
     */
    public long loadMicros(double quantile) {
        return loadLatency.window(System.nanoTime()).percentileMicros(quantile);
    }

    /**
     * The save latency (a changed or new session written, merges and their retries included), in
     * microseconds, that {@code quantile} (0 to 1) of the saves of the last minute or two did not exceed,
     * at most 25% high; 0 when there were none.
     */
    public long saveMicros(double quantile) {
        return saveLatency.window(System.nanoTime()).percentileMicros(quantile);
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
        loadLatency.record(nanos);
    }

    void recordLoadOutcome(boolean hit) {
        (hit ? hits : misses).increment();
    }

    void recordCreated() {
        created.increment();
    }

    void recordInvalidated() {
        invalidated.increment();
    }

    void recordExpired() {
        expired.increment();
    }

    void recordBytesRead(int bytes) {
        bytesRead.add(bytes);
    }

    void recordBytesWritten(int bytes) {
        bytesWritten.add(bytes);
    }

    void recordLockWait() {
        lockWaits.increment();
    }

    void recordLockTimeout() {
        lockTimeouts.increment();
    }

    /** A save that wrote, from the first store call to the last. */
    void recordSaveLatency(long nanos) {
        saveLatency.record(nanos);
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
