package io.memsession;

import java.time.Clock;

import io.memsession.store.ConnectionLosses;
import io.memsession.store.ServerStatistics;
import io.memsession.store.LockStore;
import io.memsession.store.MemcachedSessionStore;
import io.memsession.store.ReplicatedSessionStore;
import io.memsession.store.SessionStore;

/**
 * The memcached side of the configuration: one client over every server (each session on one server),
 * or with {@code replicas} above 1 a client per server and each session on that many.
 */
record MemcachedStores(SessionStore sessions, LockStore locks, ConnectionLosses connectionLosses,
        ServerStatistics serverStatistics) {

    static MemcachedStores open(SessionConfig config, Clock clock) {
        if (config.replicas() > 1) {
            ReplicatedSessionStore replicated = new ReplicatedSessionStore(config.servers(), config.replicas(),
                    config.keyPrefix(), config.opTimeout(), config.connectTimeout(), config.expiryGrace(), clock,
                    config.awaitAccessWrites(), config.lockTtl(), config.sasl());
            return new MemcachedStores(replicated, replicated, replicated.connectionLosses(),
                    replicated.serverStatistics());
        }
        MemcachedSessionStore memcached = new MemcachedSessionStore(config.servers(), config.keyPrefix(),
                config.opTimeout(), config.connectTimeout(), config.expiryGrace(), clock, config.awaitAccessWrites(),
                config.sasl());
        return new MemcachedStores(memcached, memcached, memcached.connectionLosses(), memcached.serverStatistics());
    }

    void close() {
        sessions.close();
    }
}
