package io.memsession.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.zaxxer.hikari.HikariDataSource;

import io.memsession.store.DurableSessionStore.DurableSession;
import io.memsession.store.DurableSessionStore.RowFate;
import io.memsession.store.SaveOutcome;
import io.memsession.store.SessionStore.Access;
import io.memsession.store.SessionStoreException;
import io.memsession.store.StoredSession;
import io.memsession.testdb.TestDatabase;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The contract of {@link JdbcSessionStore} on a real database server: the same scenarios for every
 * supported database, each subclass naming one ({@link #kind()}). One server per class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractJdbcSessionStoreContract {

    private static final Duration TIMEOUT = Duration.ofMillis(1500);
    private static final int INTERVAL = 1800;

    private TestDatabase database;
    private HikariDataSource pool;
    private JdbcSessionStore store;

    abstract TestDatabase.Kind kind();

    @BeforeAll
    void startDatabase() {
        database = kind().start();
        pool = JdbcDataSources.pooled(database.jdbcUrl(), database.user(), database.password(), 4, TIMEOUT);
        store = newStore("ks1:");
        store.createTableIfAbsent();
    }

    @AfterAll
    void stopDatabase() {
        if (pool != null) {
            pool.close();
        }
        if (database != null) {
            database.close();
        }
    }

    private JdbcSessionStore newStore(String keySpace) {
        return new JdbcSessionStore(pool, JdbcSessionStore.DEFAULT_TABLE, keySpace, TIMEOUT, 0.25,
                Duration.ofMinutes(5), Clock.systemUTC());
    }

    private static String newId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private static byte[] doc(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void createTable_isIdempotent_andTheTableIsReadable() {
        store.createTableIfAbsent();
        store.checkTable();
    }

    @Test
    void create_storesVersionOne_andRefusesATakenId() {
        String id = newId();
        assertTrue(store.create(id, doc("one"), new Access(1000, INTERVAL)));
        assertFalse(store.create(id, doc("two"), new Access(2000, INTERVAL)), "the id is taken");
        DurableSession row = store.read(id).orElseThrow();
        assertArrayEquals(doc("one"), row.document());
        assertEquals(1, row.version());
        assertEquals(1000, row.lastAccessTime());
        assertEquals(INTERVAL, row.maxInactiveSeconds());
        StoredSession loaded = store.load(id).orElseThrow();
        assertEquals(1000, loaded.latestAccessTime());
        assertTrue(store.load(newId()).isEmpty());
    }

    @Test
    void principal_isWrittenWithEachWrite_andANameLongerThanTheColumnIsLeftOut() {
        String id = newId();
        String name = "bob-" + id;
        store.create(id, doc("v1"), new Access(1000, INTERVAL, name));
        assertEquals(List.of(List.of(name)), principalOf(id));
        store.replace(id, doc("v2"), 1, null, new Access(2000, INTERVAL, null));
        assertEquals(1, principalOf(id).size());
        assertEquals(null, principalOf(id).get(0).get(0), "a write without a user clears it");
        store.overwrite(id, doc("v3"), null, new Access(3000, INTERVAL, name));
        assertEquals(List.of(List.of(name)), principalOf(id));
        store.overwrite(id, doc("v4"), null, new Access(4000, INTERVAL, "x".repeat(JdbcSessionStore.PRINCIPAL_MAX_CHARS + 1)));
        assertEquals(null, principalOf(id).get(0).get(0), "a name the column cannot hold is not cut");
    }

    private List<List<Object>> principalOf(String id) {
        return database.query("SELECT principal FROM " + JdbcSessionStore.DEFAULT_TABLE
                + " WHERE key_space = ? AND session_key = ?", "ks1:", SessionKeys.of(id));
    }

    @Test
    void replace_isACompareAndSetOnTheVersion() {
        String id = newId();
        store.create(id, doc("v1"), new Access(1000, INTERVAL));
        assertEquals(SaveOutcome.SAVED, store.replace(id, doc("v2"), 1, null, new Access(2000, INTERVAL)));
        assertEquals(SaveOutcome.CONFLICT, store.replace(id, doc("stale"), 1, null, new Access(3000, INTERVAL)));
        DurableSession row = store.read(id).orElseThrow();
        assertArrayEquals(doc("v2"), row.document());
        assertEquals(2, row.version(), "a successful replace stores expectedVersion + 1");
        assertEquals(2000, row.lastAccessTime());
        store.delete(id);
        assertEquals(SaveOutcome.GONE, store.replace(id, doc("late"), 2, null, new Access(4000, INTERVAL)));
        assertTrue(store.read(id).isEmpty(), "a deleted session is never written back");
    }

    @Test
    void concurrentReplaces_ofOneVersion_exactlyOneWins() throws Exception {
        String id = newId();
        store.create(id, doc("v1"), new Access(1000, INTERVAL));
        List<SaveOutcome> outcomes = race(8, i -> store.replace(id, doc("w" + i), 1, null, new Access(2000, INTERVAL)));
        assertEquals(1, outcomes.stream().filter(o -> o == SaveOutcome.SAVED).count(), outcomes::toString);
        assertEquals(2, store.read(id).orElseThrow().version());
    }

    @Test
    void overwrite_ignoresTheVersion_butNeverBringsBackADeletedSession() {
        String id = newId();
        store.create(id, doc("v1"), new Access(1000, INTERVAL));
        assertTrue(store.overwrite(id, doc("last"), null, new Access(2000, 60)));
        DurableSession row = store.read(id).orElseThrow();
        assertArrayEquals(doc("last"), row.document());
        assertEquals(2, row.version());
        assertEquals(60, row.maxInactiveSeconds());
        store.delete(id);
        assertFalse(store.overwrite(id, doc("late"), null, new Access(3000, 60)));
        assertTrue(store.read(id).isEmpty());
    }

    @Test
    void touch_recordsOnlyALaterAccess_withoutChangingTheVersion() {
        String id = newId();
        store.create(id, doc("v1"), new Access(5000, INTERVAL));
        store.touch(id, null, new Access(9000, INTERVAL));
        store.touch(id, null, new Access(7000, INTERVAL));
        DurableSession row = store.read(id).orElseThrow();
        assertEquals(9000, row.lastAccessTime(), "an older access never replaces a newer one");
        assertEquals(1, row.version(), "an access is no change of the document");
        store.delete(id);
        store.touch(id, null, new Access(10_000, INTERVAL));
        assertTrue(store.read(id).isEmpty(), "touch never brings back a deleted session");
    }

    @Test
    void keepAlive_extendsOnlyALiveSession() {
        long now = System.currentTimeMillis();
        String live = newId();
        store.create(live, doc("v1"), new Access(now - 1000, 60));
        assertTrue(store.keepAlive(live, now));
        assertEquals(now, store.read(live).orElseThrow().lastAccessTime());
        String expired = newId();
        store.create(expired, doc("v1"), new Access(now - 61_000, 60));
        assertFalse(store.keepAlive(expired, now), "an expired session is not brought back");
        assertEquals(now - 61_000, store.read(expired).orElseThrow().lastAccessTime());
        assertFalse(store.keepAlive(newId(), now));
    }

    @Test
    void expiresAt_allowsForTheAccessSlack_andNeverForNoInterval() {
        String id = newId();
        store.create(id, doc("v1"), new Access(10_000, 100));
        assertEquals(10_000 + 125_000L, expiresAtOf(id), "interval × (1 + slack)");
        String forever = newId();
        store.create(forever, doc("v1"), new Access(10_000, -1));
        assertEquals(Long.MAX_VALUE, expiresAtOf(forever));
    }

    @Test
    void claimEnd_isWonByExactlyOneCaller() throws Exception {
        String id = newId();
        store.create(id, doc("v1"), new Access(1000, INTERVAL));
        List<Boolean> claims = race(8, i -> store.claimEnd(id));
        assertEquals(1, claims.stream().filter(b -> b).count(), claims::toString);
        store.delete(id);
        assertFalse(store.claimEnd(id), "the claim outlives the session's row");
    }

    @Test
    void keySpaces_keepWebappsApart() {
        JdbcSessionStore other = newStore("ks2:");
        String id = newId();
        store.create(id, doc("mine"), new Access(1000, INTERVAL));
        assertTrue(other.load(id).isEmpty(), "another webapp never sees this one's session");
        assertTrue(other.create(id, doc("theirs"), new Access(1000, INTERVAL)));
        other.delete(id);
        assertArrayEquals(doc("mine"), store.read(id).orElseThrow().document());
    }

    @Test
    void rowsAreKeyedByAHashOfTheId_neverTheIdItself() {
        String id = newId();
        store.create(id, doc("v1"), new Access(1000, INTERVAL));
        List<List<Object>> rows = database.query("SELECT session_key FROM " + JdbcSessionStore.DEFAULT_TABLE
                + " WHERE key_space = ?", "ks1:");
        assertTrue(rows.stream().anyMatch(r -> r.get(0).equals(SessionKeys.of(id))));
        assertTrue(rows.stream().noneMatch(r -> r.get(0).toString().contains(id)));
        assertNotEquals(id, SessionKeys.of(id));
    }

    @Test
    void aStoppedDatabase_failsWithinTheTimeout_andIsUsedAgainWhenItAnswers() {
        String id = newId();
        store.create(id, doc("kept"), new Access(1000, INTERVAL));
        database.stop();
        try {
            long start = System.nanoTime();
            assertThrows(SessionStoreException.class, () -> store.load(id));
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tookMillis < TIMEOUT.toMillis() + 1000, "took " + tookMillis + " ms");
        } finally {
            database.restart();
        }
        // a pooled connection the outage broke may fail once more: the pool replaces it within its checks
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            try {
                assertArrayEquals(doc("kept"), store.read(id).orElseThrow().document());
                return;
            } catch (SessionStoreException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    @Test
    void sweep_handsOverExpiredRowsOnly_oneNodeAtATime_andBoundedPerRun() {
        JdbcSessionStore sweeping = newStore("sweep:");
        JdbcSessionStore otherNode = newStore("sweep:");
        long now = System.currentTimeMillis();
        List<String> expired = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String id = newId();
            sweeping.create(id, doc(id), new Access(now - 10_000, 1));
            expired.add(id);
        }
        String live = newId();
        sweeping.create(live, doc(live), new Access(now, 60));
        String stillLive = newId();
        sweeping.create(stillLive, doc(stillLive), new Access(now - 10_000, 1));
        String unreadable = newId();
        sweeping.create(unreadable, doc("garbage"), new Access(now - 10_000, 1));
        assertTrue(sweeping.claimEnd(expired.get(0)));

        List<String> handed = new ArrayList<>();
        List<Boolean> otherNodeSwept = new ArrayList<>();
        assertTrue(sweeping.sweepExpired(now, 10, document -> {
            String id = new String(document, StandardCharsets.UTF_8);
            handed.add(id);
            otherNodeSwept.add(otherNode.sweepExpired(now, 10, d -> RowFate.ENDED));
            if (id.equals("garbage")) {
                return RowFate.UNREADABLE;
            }
            if (id.equals(stillLive)) {
                return RowFate.LIVE;
            }
            sweeping.delete(id);
            return RowFate.ENDED;
        }));
        assertEquals(5, handed.size(), handed::toString);
        assertFalse(handed.contains(live), "a live row is never handed over");
        assertTrue(otherNodeSwept.stream().noneMatch(b -> b), "another node never sweeps at the same time");
        for (String id : expired) {
            assertTrue(sweeping.read(id).isEmpty());
        }
        assertTrue(sweeping.read(unreadable).isEmpty(), "an unreadable expired row is deleted");
        assertTrue(sweeping.read(stillLive).isPresent(), "a row found live stays");
        assertTrue(sweeping.read(live).isPresent());

        handed.clear();
        assertTrue(sweeping.sweepExpired(now + 1, 10, document -> {
            handed.add(new String(document, StandardCharsets.UTF_8));
            return RowFate.ENDED;
        }));
        assertEquals(List.of(), handed, "a row found live is left alone for a while");
        assertFalse(sweeping.claimEnd(expired.get(0)), "a claim is kept until it expires");
        assertTrue(sweeping.sweepExpired(now + Duration.ofMinutes(6).toMillis(), 1, document -> RowFate.LIVE));
        assertTrue(sweeping.claimEnd(expired.get(0)), "an expired claim is deleted by the sweep");
    }

    @Test
    void cacheEpoch_startsAtZero_andAdvancesByOnePerKeySpace() {
        JdbcSessionStore one = newStore("epoch-a:");
        JdbcSessionStore other = newStore("epoch-b:");
        assertEquals(0, one.cacheEpoch());
        assertEquals(1, one.advanceCacheEpoch());
        assertEquals(2, one.advanceCacheEpoch());
        assertEquals(2, one.cacheEpoch());
        assertEquals(0, other.cacheEpoch(), "another webapp's epoch is its own");
    }

    @Test
    void sweep_handsOverAtMostMaxRowsPerRun() {
        JdbcSessionStore store = newStore("bounded:");
        long now = System.currentTimeMillis();
        for (int i = 0; i < 5; i++) {
            store.create(newId(), doc("x"), new Access(now - 10_000, 1));
        }
        List<byte[]> handed = new ArrayList<>();
        assertTrue(store.sweepExpired(now, 2, document -> {
            handed.add(document);
            return RowFate.LIVE;
        }));
        assertEquals(2, handed.size());
    }

    private long expiresAtOf(String id) {
        return ((Number) database.query("SELECT expires_at FROM " + JdbcSessionStore.DEFAULT_TABLE
                + " WHERE key_space = ? AND session_key = ?", "ks1:", SessionKeys.of(id)).get(0).get(0)).longValue();
    }

    private static <T> List<T> race(int threads, java.util.function.IntFunction<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    start.await();
                    return task.apply(n);
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
