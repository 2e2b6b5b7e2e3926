package io.memsession.store;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

import net.rubyeye.xmemcached.MemcachedClient;
import net.rubyeye.xmemcached.MemcachedClientStateListener;

/**
 * How many times this node lost its connection to each memcached server since it started: a server
 * that dies, restarts or drops the connection counts one, whatever the number of requests that then
 * fail, so that an operator can tell which server of a fleet is in trouble. Thread-safe.
 *
 * <p>The client reports the losses (Xmemcached's {@code onDisconnected}); the count goes on until the
 * store is closed, and its own closing is not counted.
 */
public final class ConnectionLosses {

    /** The configured servers, as the configuration spelled them, before any name lookup. */
    private final Map<InetSocketAddress, String> names = new LinkedHashMap<>();
    private final ConcurrentMap<String, LongAdder> byServer = new ConcurrentHashMap<>();
    private volatile boolean closing;

    ConnectionLosses(List<InetSocketAddress> servers) {
        for (InetSocketAddress server : servers) {
            String name = server.getHostString() + ":" + server.getPort();
            names.put(server, name);
            byServer.put(name, new LongAdder());
        }
    }

    /** Connection losses per server ({@code host:port} as configured), every configured server listed. */
    public Map<String, Long> byServer() {
        Map<String, Long> snapshot = new TreeMap<>();
        byServer.forEach((server, count) -> snapshot.put(server, count.sum()));
        return snapshot;
    }

    /** Losses of one server ({@code host:port} as configured); 0 for a server it does not know. */
    long of(String server) {
        LongAdder count = byServer.get(server);
        return count == null ? 0 : count.sum();
    }

    void lost(InetSocketAddress server) {
        if (closing || server == null) {
            return;
        }
        // InetSocketAddress equality is by address and port, whatever the host was called
        String name = names.getOrDefault(server, server.getHostString() + ":" + server.getPort());
        byServer.computeIfAbsent(name, n -> new LongAdder()).increment();
    }

    /** From now on losses are the store's own closing, not failures. */
    void closing() {
        closing = true;
    }

    /** What the client calls on connection events; only losses count. */
    MemcachedClientStateListener listener() {
        return new MemcachedClientStateListener() {
            @Override
            public void onDisconnected(MemcachedClient client, InetSocketAddress server) {
                lost(server);
            }

            @Override
            public void onConnected(MemcachedClient client, InetSocketAddress server) {
                // a connection (re)established is not a failure
            }

            @Override
            public void onStarted(MemcachedClient client) {
                // nothing to count
            }

            @Override
            public void onShutDown(MemcachedClient client) {
                closing();
            }

            @Override
            public void onException(MemcachedClient client, Throwable error) {
                // not tied to a server; failed operations are counted as store failures by the caller
            }
        };
    }
}
