package io.memsession.store;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What went wrong with each configured memcached server, named {@code host:port} as the configuration
 * spells it: calls that failed, calls that timed out, and the state of its breaker. Counting happens only
 * when a call fails, so a healthy fleet costs nothing. Thread-safe.
 *
 * <p>Connection losses are counted apart, once per loss: {@link ConnectionLosses}.
 *
 * <p>A call refused by an open breaker reached no server and is counted in neither: it is a store
 * failure of the session layer only. So is a call made while no server at all is connected.
 */
public final class ServerStatistics {

    /** For stores that talk to no memcached server (tests, other stores). */
    public static final ServerStatistics NONE = new ServerStatistics(List.of(), null, null);

    /** The state of a server's breaker, see docs/operations.md. */
    public enum BreakerState {
        /** Calls go to the server. */
        CLOSED,
        /** The server failed several times in a row: calls are refused at once until the next probe. */
        OPEN,
        /** The back-off ran out and one call is trying the server; its answer closes or reopens it. */
        PROBING
    }

    private final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
    private final Map<InetSocketAddress, Counts> byAddress = new LinkedHashMap<>();
    private final ServerBreakers breakers;
    private final ConnectionLosses connectionLosses;

    ServerStatistics(List<InetSocketAddress> servers, ServerBreakers breakers, ConnectionLosses connectionLosses) {
        this.breakers = breakers;
        this.connectionLosses = connectionLosses;
        for (InetSocketAddress server : servers) {
            addresses.put(nameOf(server), server);
            byAddress.put(server, new Counts());
        }
    }

    /** {@code host:port} as configured, before any name lookup. */
    static String nameOf(InetSocketAddress server) {
        return server.getHostString() + ":" + server.getPort();
    }

    /** The configured servers, in configuration order. */
    public List<String> servers() {
        return List.copyOf(addresses.keySet());
    }

    /** Calls to {@code server} that failed (refused or lost connection, an error answer), timeouts excepted. */
    public long errors(String server) {
        Counts counts = countsOf(server);
        return counts == null ? 0 : counts.errors.sum();
    }

    /** Calls to {@code server} that got no answer within the operation timeout. */
    public long timeouts(String server) {
        Counts counts = countsOf(server);
        return counts == null ? 0 : counts.timeouts.sum();
    }

    /** How many times this node lost its connection to {@code server}, see {@link ConnectionLosses}. */
    public long connectionLosses(String server) {
        return connectionLosses == null ? 0 : connectionLosses.of(server);
    }

    /** The state of {@code server}'s breaker; closed for a server never asked or not configured. */
    public BreakerState breakerState(String server) {
        InetSocketAddress address = addresses.get(server);
        return address == null || breakers == null ? BreakerState.CLOSED : breakers.stateOf(address);
    }

    /** {@link #errors} of every configured server. */
    public Map<String, Long> errorsByServer() {
        Map<String, Long> all = new TreeMap<>();
        addresses.keySet().forEach(server -> all.put(server, errors(server)));
        return all;
    }

    /** {@link #timeouts} of every configured server. */
    public Map<String, Long> timeoutsByServer() {
        Map<String, Long> all = new TreeMap<>();
        addresses.keySet().forEach(server -> all.put(server, timeouts(server)));
        return all;
    }

    /** {@link #breakerState} of every configured server. */
    public Map<String, BreakerState> breakerStates() {
        Map<String, BreakerState> all = new TreeMap<>();
        addresses.keySet().forEach(server -> all.put(server, breakerState(server)));
        return all;
    }

    /** A call to the server at {@code address} failed; anything but a configured address is ignored. */
    void failed(Object address) {
        Counts counts = byAddress.get(address);
        if (counts != null) {
            counts.errors.increment();
        }
    }

    /** A call to the server at {@code address} timed out; anything but a configured address is ignored. */
    void timedOut(Object address) {
        Counts counts = byAddress.get(address);
        if (counts != null) {
            counts.timeouts.increment();
        }
    }

    private Counts countsOf(String server) {
        InetSocketAddress address = addresses.get(server);
        return address == null ? null : byAddress.get(address);
    }

    private static final class Counts {
        final LongAdder errors = new LongAdder();
        final LongAdder timeouts = new LongAdder();
    }
}
