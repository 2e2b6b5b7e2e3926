package io.memsession;

import java.util.Map;

/**
 * The counters of {@link SessionMetrics} as a JMX MXBean, registered per webapp by
 * {@link MemcachedSessionFilter} under {@code io.memsession:type=SessionMetrics,context="<context path>"}
 * (plus {@code ,instance=N} when another webapp of the same JVM has that context path), so that any JMX
 * console or agent (jconsole, a Prometheus JMX exporter) can read them without code. Counts are since
 * the filter started, on this node only.
 */
public interface SessionMetricsMXBean {

    /** Sessions read from the store (a hit or a miss). */
    long getLoads();

    /** Mean time of a store load in microseconds, since start; 0 before the first load. */
    long getMeanLoadMicros();

    /** Writes of changed or new sessions sent to the store. */
    long getSaves();

    /** Accesses of unchanged sessions recorded in the store. */
    long getTouches();

    /** Writes that found the session changed by a concurrent request and merged into it. */
    long getSaveConflicts();

    /** Changes lost: given up after conflicts, or made without the session lock. */
    long getDroppedSaves();

    /** Saves refused because the session was larger than the store accepts; the stored copy was kept. */
    long getOversizedSaves();

    /** Stored sessions or attributes that could not be read back. */
    long getUnreadableSessions();

    /** Store operations that failed or timed out. */
    long getStoreFailures();

    /**
     * Per memcached server ({@code host:port} as configured): how many times this node lost its
     * connection to it (the server died, restarted or dropped the connection), each loss counted once
     * however many requests then failed. Every configured server is listed, at 0 until it fails.
     */
    Map<String, Long> getServerConnectionLosses();

    /** New sessions created by the application. */
    long getSessionsCreated();

    /** Requests whose session id found a live stored session. */
    long getSessionsLoaded();

    /** Requests whose session id found no live session (unknown, ended, expired or unreadable). */
    long getSessionsMissed();

    /** Sessions ended by the application's {@code invalidate()}. */
    long getSessionsInvalidated();

    /** Sessions this node found expired. */
    long getSessionsExpired();

    /** Bytes of session documents read from the store. */
    long getBytesRead();

    /** Bytes of session documents sent to the store. */
    long getBytesWritten();

    /** With {@code concurrency=lock}: requests that waited for their session's lock. */
    long getLockWaits();

    /** With {@code concurrency=lock}: requests that did not get their session's lock in time. */
    long getLockTimeouts();

    /** Median store load time over the last minute or two, in microseconds (at most 25% high). */
    long getLoadMicrosP50();

    /** 99th percentile of the store load time over the last minute or two, in microseconds. */
    long getLoadMicrosP99();

    /** Longest store load over the last minute or two, in microseconds (at most 25% high). */
    long getLoadMicrosMax();

    /** Median save time (a changed or new session written) over the last minute or two, in microseconds. */
    long getSaveMicrosP50();

    /** 99th percentile of the save time over the last minute or two, in microseconds. */
    long getSaveMicrosP99();

    /** Longest save over the last minute or two, in microseconds (at most 25% high). */
    long getSaveMicrosMax();

    /**
     * Per memcached server ({@code host:port} as configured): calls that failed (refused or lost
     * connection, an error answer), timeouts not included.
     */
    Map<String, Long> getServerErrors();

    /** Per memcached server: calls that got no answer within {@code opTimeoutMillis}. */
    Map<String, Long> getServerTimeouts();

    /** Per memcached server: its breaker, {@code CLOSED}, {@code OPEN} or {@code PROBING}. */
    Map<String, String> getServerBreakerStates();
}
