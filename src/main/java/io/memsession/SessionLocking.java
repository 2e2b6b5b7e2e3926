package io.memsession;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.memsession.store.LockStore;
import io.memsession.store.SessionStoreException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code lock} concurrency mode: one request at a time per session, across the cluster.
 *
 * <p>A request first queues on an in-JVM lock for the session, so that requests of one node never race
 * each other for memcached; then it takes the shared lock in memcached ({@code add} of a lock key with
 * its own random token and a time-to-live), retrying with exponential back-off and jitter until its
 * total budget runs out. memcached offers nothing to block on, hence the polling.
 */
final class SessionLocking {

    private static final long FIRST_BACKOFF_MILLIS = 2;
    private static final long MAX_BACKOFF_MILLIS = 50;

    private static final Logger LOG = LoggerFactory.getLogger(SessionLocking.class);

    private final LockStore store;
    private final boolean servesReadOnlyWhenAway;
    private final SessionMetrics metrics;
    private final Duration budget;
    private final int ttlSeconds;
    /** Requests of one session that may wait on this node behind the one that holds or takes its lock. */
    private final int queueMax;
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<String, LocalLock> localLocks = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<UnansweredLock> unanswered = new ConcurrentLinkedQueue<>();
    private static final int MAX_UNANSWERED = 10_000;

    /**
     * @param servesReadOnlyWhenAway whether a session whose lock cannot be asked for (memcached away)
     *     is still served, read-only: true when the durable tier can load it without memcached
     */
    SessionLocking(LockStore store, SessionMetrics metrics, Duration budget, Duration ttl, int queueMax,
            boolean servesReadOnlyWhenAway) {
        this.servesReadOnlyWhenAway = servesReadOnlyWhenAway;
        this.store = store;
        this.queueMax = queueMax;
        this.metrics = metrics;
        this.budget = budget;
        this.ttlSeconds = (int) ttl.toSeconds();
    }

    /** Whether a session is served read-only while its lock cannot be asked for (the durable tier is on). */
    boolean servesReadOnlyWhenAway() {
        return servesReadOnlyWhenAway;
    }

    Duration budget() {
        return budget;
    }

    int ttlSeconds() {
        return ttlSeconds;
    }

    /**
     * Waits, at most the budget, for the lock of session {@code id}.
     *
     * @return the lock, or null when the budget ran out
     * @throws SessionStoreException when memcached cannot be asked
     */
    HeldLock acquire(String id) {
        long deadline = System.nanoTime() + budget.toNanos();
        int[] users = new int[1];
        LocalLock local = localLocks.compute(id, (key, existing) -> {
            LocalLock retained = (existing == null ? new LocalLock() : existing).retain();
            users[0] = retained.users;
            return retained;
        });
        boolean handedOut = false;
        boolean waited = false;
        try {
            if (users[0] > queueMax + 1) {
                // a burst on one session must not take every request thread of the node: answer at once
                metrics.recordLockTimeout();
                return null;
            }
            // a timed try with no wait, unlike tryAcquire(), keeps the queue's order
            if (!local.semaphore.tryAcquire(0, TimeUnit.NANOSECONDS)) {
                waited = true;
                if (!local.semaphore.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    metrics.recordLockTimeout();
                    return null;
                }
            }
            releaseUnansweredLocks();
            try {
                String token = newToken();
                long backoff = FIRST_BACKOFF_MILLIS;
                while (!tryAcquire(id, token)) {
                    waited = true;
                    long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (remainingMillis <= 0) {
                        metrics.recordLockTimeout();
                        return null;
                    }
                    long jittered = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
                    Thread.sleep(Math.min(jittered, remainingMillis));
                    backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
                }
                handedOut = true;
                if (waited) {
                    metrics.recordLockWait();
                }
                return new HeldLock(id, token, local);
            } finally {
                if (!handedOut) {
                    local.semaphore.release();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            if (!handedOut) {
                dropLocal(id, local);
            }
        }
    }

    /**
     * One attempt at the shared lock. An attempt that memcached did not answer may still be carried
     * out when memcached recovers, leaving a lock nobody would release until its time-to-live: it is
     * remembered and released by a later request (only if it still holds this token).
     */
    private boolean tryAcquire(String id, String token) {
        try {
            return store.tryAcquire(id, token, ttlSeconds);
        } catch (SessionStoreException e) {
            if (unanswered.size() < MAX_UNANSWERED) {
                unanswered.add(new UnansweredLock(id, token));
            }
            throw e;
        }
    }

    /** Releases the locks of attempts memcached did not answer, now that it may again. */
    private void releaseUnansweredLocks() {
        UnansweredLock lock;
        while ((lock = unanswered.poll()) != null) {
            try {
                store.release(lock.id(), lock.token(), LockStore.NOT_HELD);
            } catch (SessionStoreException e) {
                unanswered.add(lock);
                return;
            }
        }
    }

    private void dropLocal(String id, LocalLock local) {
        localLocks.computeIfPresent(id, (key, existing) -> existing == local && local.releaseUse() ? null : existing);
    }

    private String newToken() {
        byte[] bytes = new byte[12];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * The in-JVM queue of one session; counts its users (only ever changed inside the map's compute
     * functions) so that it leaves the map when the last one is done.
     */
    private static final class LocalLock {
        final Semaphore semaphore = new Semaphore(1, true);
        private int users;

        LocalLock retain() {
            users++;
            return this;
        }

        /** @return whether nobody uses it any more */
        boolean releaseUse() {
            users--;
            return users == 0;
        }
    }

    private record UnansweredLock(String id, String token) {
    }

    /** A session lock held by one request; {@link #release()} exactly once. */
    final class HeldLock {
        private final String id;
        private final String token;
        private final LocalLock local;
        private boolean released;
        /** The lock's version when this request last saw it hold the lock: its release needs no read then. */
        private long heldVersion = LockStore.NOT_HELD;

        private HeldLock(String id, String token, LocalLock local) {
            this.id = id;
            this.token = token;
            this.local = local;
        }

        String sessionId() {
            return id;
        }

        /**
         * Whether the shared lock is still this request's (it may have outlived its time-to-live); false
         * also when memcached cannot tell, since a request never writes without its lock.
         */
        boolean isStillHeld() {
            try {
                heldVersion = store.heldVersion(id, token);
                return heldVersion != LockStore.NOT_HELD;
            } catch (SessionStoreException e) {
                metrics.recordStoreFailure();
                LOG.warn("session lock could not be checked: {}", e.getMessage());
                return false;
            }
        }

        void release() {
            if (released) {
                return;
            }
            released = true;
            try {
                store.release(id, token, heldVersion);
            } catch (SessionStoreException e) {
                metrics.recordStoreFailure();
                LOG.warn("session lock could not be released and will expire after lockTtlSeconds ({} s): {}",
                        ttlSeconds, e.getMessage());
            } finally {
                local.semaphore.release();
                dropLocal(id, local);
            }
        }
    }
}
