package io.memsession.store.tiered;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

import com.zaxxer.hikari.HikariDataSource;

import io.memsession.it.MemcachedProcess;
import io.memsession.store.DurableSessionStore;
import io.memsession.store.DurableSessionStore.DurableSession;
import io.memsession.store.MemcachedSessionStore;
import io.memsession.store.SaveOutcome;
import io.memsession.store.SessionStore.Access;
import io.memsession.store.StoredSession;
import io.memsession.store.jdbc.JdbcDataSources;
import io.memsession.store.jdbc.JdbcSessionStore;
import io.memsession.testdb.TestDatabase;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The rule that keeps memcached from going back in time (point 2 of the ordering argument in
 * docs/durable-tier.md), on a real memcached and a real database (H2 server): a node that read an old
 * row from the database just before other writes landed, and caches it afterwards, leaves the newer
 * cached copy in place.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TieredCacheOrderTest {

    private static final Duration TIMEOUT = Duration.ofMillis(1500);
    private static final int INTERVAL = 1800;

    private MemcachedProcess memcached;
    private TestDatabase database;
    private HikariDataSource pool;

    @BeforeAll
    void start() {
        memcached = MemcachedProcess.start();
        database = TestDatabase.Kind.H2.start();
        pool = JdbcDataSources.pooled(database.jdbcUrl(), database.user(), database.password(), 4, TIMEOUT);
        newJdbc().createTableIfAbsent();
    }

    @AfterAll
    void stop() {
        if (pool != null) {
            pool.close();
        }
        if (database != null) {
            database.close();
        }
        if (memcached != null) {
            memcached.close();
        }
    }

    @Test
    void aLateCacheWriteOfAnOlderRow_leavesTheNewerCachedCopy() {
        String id = UUID.randomUUID().toString().replace("-", "");
        JdbcSessionStore jdbc = newJdbc();
        try (MemcachedSessionStore probe = newCache();
                TieredSessionStore nodeA = new TieredSessionStore(newCache(), jdbc, 0.1, Clock.systemUTC(), null)) {
            nodeA.start(() -> { });
            long now = System.currentTimeMillis();
            Access access = new Access(now, INTERVAL);
            assertTrue(nodeA.create(id, doc("v1"), access));
            DurableSession oldRow = jdbc.read(id).orElseThrow();
            StoredSession current = nodeA.load(id).orElseThrow();
            assertEquals(SaveOutcome.SAVED, nodeA.replace(id, doc("v2"), current.version(), current, access));
            current = nodeA.load(id).orElseThrow();
            assertEquals(SaveOutcome.SAVED, nodeA.replace(id, doc("v3"), current.version(), current, access));
            assertEquals(3, cachedCopy(probe, id).version());

            // node B distrusts every copy cached so far (a failed memcached write somewhere advanced the
            // epoch), goes to the database, and gets the row as it was before the two writes: the read
            // that raced them. It then caches what it read.
            jdbc.advanceCacheEpoch();
            try (TieredSessionStore nodeB = new TieredSessionStore(newCache(), new StaleReads(jdbc, oldRow), 0.1,
                    Clock.systemUTC(), null)) {
                nodeB.start(() -> { });
                assertEquals("v1", text(nodeB.load(id).orElseThrow().document()));
            }

            CachedCopy cached = cachedCopy(probe, id);
            assertEquals(3, cached.version(), "memcached went back to an older copy");
            assertEquals("v3", text(cached.document()));
        }
    }

    private JdbcSessionStore newJdbc() {
        return new JdbcSessionStore(pool, JdbcSessionStore.DEFAULT_TABLE, "order:", TIMEOUT, 0.1,
                Duration.ofMinutes(5), Clock.systemUTC());
    }

    private MemcachedSessionStore newCache() {
        return new MemcachedSessionStore(List.of(new InetSocketAddress("127.0.0.1", memcached.port())), "order:",
                TIMEOUT, TIMEOUT, Duration.ofMinutes(5), Clock.systemUTC());
    }

    private static CachedCopy cachedCopy(MemcachedSessionStore cache, String id) {
        Optional<StoredSession> raw = cache.load(id);
        assertTrue(raw.isPresent(), "nothing cached");
        CachedCopy copy = CachedCopy.decode(raw.get().document());
        assertTrue(copy != null && !copy.isTombstone(), "not a cached session copy");
        return copy;
    }

    private static byte[] doc(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The database as a reader that raced newer writes sees it: {@code read} returns an old row. */
    private record StaleReads(JdbcSessionStore delegate, DurableSession oldRow) implements DurableSessionStore {

        @Override
        public Optional<DurableSession> read(String id) {
            return Optional.of(oldRow);
        }

        @Override
        public long cacheEpoch() {
            return delegate.cacheEpoch();
        }

        @Override
        public long advanceCacheEpoch() {
            return delegate.advanceCacheEpoch();
        }

        @Override
        public boolean sweepExpired(long now, int maxRows, Function<byte[], RowFate> ender) {
            return delegate.sweepExpired(now, maxRows, ender);
        }

        @Override
        public Optional<StoredSession> load(String id) {
            return delegate.load(id);
        }

        @Override
        public boolean create(String id, byte[] document, Access access) {
            return delegate.create(id, document, access);
        }

        @Override
        public SaveOutcome replace(String id, byte[] document, long expectedVersion, StoredSession previous,
                Access access) {
            return delegate.replace(id, document, expectedVersion, previous, access);
        }

        @Override
        public boolean overwrite(String id, byte[] document, StoredSession previous, Access access) {
            return delegate.overwrite(id, document, previous, access);
        }

        @Override
        public void touch(String id, StoredSession previous, Access access) {
            delegate.touch(id, previous, access);
        }

        @Override
        public boolean keepAlive(String id, long accessTime) {
            return delegate.keepAlive(id, accessTime);
        }

        @Override
        public boolean claimEnd(String id) {
            return delegate.claimEnd(id);
        }

        @Override
        public void delete(String id) {
            delegate.delete(id);
        }

        @Override
        public void close() {
            // the pool belongs to the test
        }
    }
}
