package io.memsession.store.tiered;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.zaxxer.hikari.HikariDataSource;

import io.memsession.it.MemcachedProcess;
import io.memsession.store.MemcachedSessionStore;
import io.memsession.store.SessionStoreException;
import io.memsession.store.jdbc.JdbcDataSources;
import io.memsession.store.jdbc.JdbcSessionStore;
import io.memsession.testdb.TestDatabase;

import org.junit.jupiter.api.Test;

/**
 * While memcached is away every request of the durable tier fails its cache call: the log gets one line
 * for the burst, not one per call, and the failures are still all counted. A real memcached that was
 * stopped (its port refuses), a real database (H2 server).
 */
class TieredCacheFailureLogTest {

    private static final Duration TIMEOUT = Duration.ofMillis(500);
    private static final int CALLS = 20;

    @Test
    void memcachedFailuresOfABurst_areLoggedOnce_andAllCounted() {
        MemcachedProcess memcached = MemcachedProcess.start();
        int port = memcached.port();
        memcached.close();
        List<String> lines = new ArrayList<>();
        try (TestDatabase database = TestDatabase.Kind.H2.start();
                HikariDataSource pool = JdbcDataSources.pooled(database.jdbcUrl(), database.user(),
                        database.password(), 2, TIMEOUT)) {
            JdbcSessionStore jdbc = new JdbcSessionStore(pool, JdbcSessionStore.DEFAULT_TABLE, "log:", TIMEOUT, 0.1,
                    Duration.ofMinutes(5), Clock.systemUTC());
            jdbc.createTableIfAbsent();
            MemcachedSessionStore away = new MemcachedSessionStore(List.of(new InetSocketAddress("127.0.0.1", port)),
                    "log:", TIMEOUT, TIMEOUT, Duration.ofMinutes(5), Clock.systemUTC());
            try (TieredSessionStore tier = new TieredSessionStore(away, jdbc, 0.1, Clock.systemUTC(), null,
                    (format, args) -> lines.add(format))) {
                for (int i = 0; i < CALLS; i++) {
                    try {
                        tier.load(UUID.randomUUID().toString());
                    } catch (SessionStoreException e) {
                        // the database may refuse too; the cache call failed first either way
                    }
                }
                assertEquals(CALLS, tier.statistics().cacheFailures(), "every failed cache call is counted");
                assertEquals(1, lines.size(), "one log line for the burst: " + lines);
            }
        }
    }
}
