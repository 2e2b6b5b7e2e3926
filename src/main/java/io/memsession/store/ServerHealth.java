package io.memsession.store;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;

/**
 * What is kept about each memcached server's health: its breaker, its connection losses and its error
 * counts. One per webapp, shared by the stores of several servers when each has its own client (replicas).
 */
record ServerHealth(ServerBreakers breakers, ConnectionLosses connectionLosses, ServerStatistics statistics) {

    static ServerHealth of(List<InetSocketAddress> servers, Clock clock) {
        ServerBreakers breakers = new ServerBreakers(clock);
        ConnectionLosses losses = new ConnectionLosses(servers);
        return new ServerHealth(breakers, losses, new ServerStatistics(servers, breakers, losses));
    }
}
