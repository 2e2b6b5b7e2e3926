package io.memsession.store;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One breaker per memcached server, so that a server that stopped answering costs the requests of its
 * sessions one bounded wait in all, not one per request: after {@link #FAILURES_TO_OPEN} failures in a
 * row (timeouts, refused or lost connections) calls for that server are refused at once for a back-off
 * that doubles from {@link #MIN_BACKOFF_MILLIS} to {@link #MAX_BACKOFF_MILLIS} while it keeps failing;
 * after the back-off one call at a time is let through as a probe, and the first success closes it.
 * Other servers' sessions are not affected.
 *
 * <p>A single failure does not open it: a request that timed out once under a burst of load (a GC pause,
 * an overloaded machine) should not make the next requests give up at once.
 */
final class ServerBreakers {

    static final int FAILURES_TO_OPEN = 3;
    static final long MIN_BACKOFF_MILLIS = 500;
    static final long MAX_BACKOFF_MILLIS = 5_000;

    private final Clock clock;
    private final ConcurrentHashMap<Object, Breaker> byServer = new ConcurrentHashMap<>();

    ServerBreakers(Clock clock) {
        this.clock = clock;
    }

    /** The breaker of {@code server} (an address, or any stable key naming it). */
    Breaker of(Object server) {
        Breaker breaker = byServer.get(server);
        return breaker != null ? breaker : byServer.computeIfAbsent(server, Breaker::new);
    }

    /** The state of {@code server}'s breaker; closed for a server never asked. */
    ServerStatistics.BreakerState stateOf(Object server) {
        Breaker breaker = byServer.get(server);
        return breaker == null ? ServerStatistics.BreakerState.CLOSED : breaker.state();
    }

    /** How many servers are refused right now. */
    int openCount() {
        return (int) byServer.values().stream().filter(Breaker::isOpen).count();
    }

    /** The breaker of one server. Lock-free: its closed state costs one volatile read per call. */
    final class Breaker {

        private final Object server;
        private final AtomicInteger failuresInARow = new AtomicInteger();
        private final AtomicBoolean probing = new AtomicBoolean();
        /** 0 while closed; otherwise when the next probe may go. */
        private volatile long openUntil;
        private volatile long backoff = MIN_BACKOFF_MILLIS;

        private Breaker(Object server) {
            this.server = server;
        }

        Object server() {
            return server;
        }

        boolean isOpen() {
            return openUntil != 0;
        }

        ServerStatistics.BreakerState state() {
            if (openUntil == 0) {
                return ServerStatistics.BreakerState.CLOSED;
            }
            return probing.get() ? ServerStatistics.BreakerState.PROBING : ServerStatistics.BreakerState.OPEN;
        }

        /**
         * Whether a call may go to the server now: always while closed; while open, only one probe at a
         * time once the back-off ran out. A caller that was allowed must report {@link #succeeded},
         * {@link #failed} or {@link #released}.
         */
        boolean allowsCall() {
            long until = openUntil;
            if (until == 0) {
                return true;
            }
            return clock.millis() >= until && probing.compareAndSet(false, true);
        }

        /** How long calls are still refused, in milliseconds (0 when a probe may go). */
        long refusingForMillis() {
            long until = openUntil;
            return until == 0 ? 0 : Math.max(0, until - clock.millis());
        }

        /** The server answered; true when that closes an open breaker. */
        boolean succeeded() {
            if (failuresInARow.get() != 0) {
                failuresInARow.set(0);
            }
            if (openUntil == 0) {
                return false;
            }
            backoff = MIN_BACKOFF_MILLIS;
            openUntil = 0;
            probing.set(false);
            return true;
        }

        /** The server did not answer; true when that opens the breaker. */
        boolean failed() {
            if (openUntil != 0) {
                // a probe failed: wait longer before the next one
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
                openUntil = clock.millis() + backoff;
                probing.set(false);
                return false;
            }
            // exactly one of the threads failing together opens it
            if (failuresInARow.incrementAndGet() != FAILURES_TO_OPEN) {
                return false;
            }
            openUntil = clock.millis() + backoff;
            return true;
        }

        /** The call ended without telling anything about the server (the client refused a value itself). */
        void released() {
            probing.set(false);
        }
    }
}
