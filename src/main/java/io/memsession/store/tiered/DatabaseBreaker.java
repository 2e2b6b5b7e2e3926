package io.memsession.store.tiered;

import java.time.Clock;

/**
 * Keeps requests from waiting for a database that just failed: after a failure, database calls are
 * refused at once for a back-off that doubles with each further failure (from {@link #MIN_BACKOFF_MILLIS}
 * to {@link #MAX_BACKOFF_MILLIS}); the first call after it is let through as a probe.
 */
final class DatabaseBreaker {

    static final long MIN_BACKOFF_MILLIS = 500;
    static final long MAX_BACKOFF_MILLIS = 8_000;

    private final Clock clock;
    private long closedAfter;
    private long backoff = MIN_BACKOFF_MILLIS;
    private boolean failing;

    DatabaseBreaker(Clock clock) {
        this.clock = clock;
    }

    synchronized boolean allowsCall() {
        return clock.millis() >= closedAfter;
    }

    /** Whether the last call failed (the database counts as down). */
    synchronized boolean isFailing() {
        return failing;
    }

    /** Records a success; true when it ends a period of failures. */
    synchronized boolean succeeded() {
        boolean recovered = failing;
        failing = false;
        backoff = MIN_BACKOFF_MILLIS;
        closedAfter = 0;
        return recovered;
    }

    /** Records a failure; true when it starts a period of failures. */
    synchronized boolean failed() {
        boolean first = !failing;
        failing = true;
        closedAfter = clock.millis() + backoff;
        backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
        return first;
    }

    synchronized long refusingForMillis() {
        return Math.max(0, closedAfter - clock.millis());
    }
}
