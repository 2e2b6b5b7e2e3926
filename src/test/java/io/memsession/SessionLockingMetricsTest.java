package io.memsession;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import io.memsession.it.MemcachedProcess;
import io.memsession.store.LockStore;
import io.memsession.store.MemcachedSessionStore;

import org.junit.jupiter.api.Test;

/**
 * Lock waits and lock timeouts are counted, on a real memcached shared by two "nodes": a request that
 * found the session locked and got it later is a wait; one whose budget ran out is a timeout; one that
 * got it at once is neither.
 */
class SessionLockingMetricsTest {

    private static final String ID = "lock-metrics-session-id";

    @Test
    void aLockFoundTaken_isAWaitWhenItComesInTime_andATimeoutWhenNot() {
        try (MemcachedProcess memcached = MemcachedProcess.start();
                MemcachedSessionStore store = new MemcachedSessionStore(
                        List.of(new InetSocketAddress("127.0.0.1", memcached.port())), "lockm:", Duration.ofSeconds(1),
                        Duration.ofSeconds(1), Duration.ofMinutes(5), Clock.systemUTC())) {
            SessionMetrics nodeAMetrics = new SessionMetrics();
            SessionLocking nodeA = new SessionLocking(store, nodeAMetrics, Duration.ofSeconds(2), Duration.ofSeconds(30),
                    10, false);
            SessionLocking.HeldLock held = nodeA.acquire(ID);
            assertNotNull(held);
            assertEquals(0, nodeAMetrics.lockWaits(), "taken at once: no wait");

            SessionMetrics nodeBMetrics = new SessionMetrics();
            SessionLocking impatient = new SessionLocking(store, nodeBMetrics, Duration.ofMillis(100),
                    Duration.ofSeconds(30), 10, false);
            assertNull(impatient.acquire(ID), "node A holds it for longer than the budget");
            assertEquals(1, nodeBMetrics.lockTimeouts());
            assertEquals(0, nodeBMetrics.lockWaits());

            // node A lets go right after node B's first attempt found the lock taken
            LockStore releasingAfterFirstTry = new LockStore() {
                private boolean tried;

                @Override
                public boolean tryAcquire(String id, String owner, int ttlSeconds) {
                    boolean got = store.tryAcquire(id, owner, ttlSeconds);
                    if (!tried) {
                        tried = true;
                        held.release();
                    }
                    return got;
                }

                @Override
                public long heldVersion(String id, String owner) {
                    return store.heldVersion(id, owner);
                }

                @Override
                public void release(String id, String owner, long heldVersion) {
                    store.release(id, owner, heldVersion);
                }
            };
            SessionLocking patient = new SessionLocking(releasingAfterFirstTry, nodeBMetrics, Duration.ofSeconds(5),
                    Duration.ofSeconds(30), 10, false);
            SessionLocking.HeldLock later = patient.acquire(ID);
            assertNotNull(later, "node A released it");
            later.release();
            assertEquals(1, nodeBMetrics.lockWaits(), "found taken, then got it");
            assertEquals(1, nodeBMetrics.lockTimeouts(), "no new timeout");
        }
    }
}
