package io.memsession.benchmark;

import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.servlet.SessionHandler;
import org.eclipse.jetty.memcached.session.MemcachedSessionDataMap;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.session.CachingSessionDataStore;
import org.eclipse.jetty.session.NullSessionCache;
import org.eclipse.jetty.session.NullSessionDataStore;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import jakarta.servlet.DispatcherType;

import io.memsession.MemcachedSessionFilter;

/**
 * One server of the benchmark, in a JVM of its own so that {@code /proc/<pid>} measures that mode alone:
 * Jetty 12 (ee10) on a free 127.0.0.1 port serving {@link ProfileServlet} with the session mode given
 * as the first argument. Prints {@code READY <port>} on stdout once it serves.
 *
 * <p>Usage: {@code BenchServer <mode> <memcached port>}, where mode is {@code jetty-memory},
 * {@code jetty-memcached}, or {@code memsession-<concurrency>} (merge, lock, none), optionally followed
 * by {@code :param=value,...} extra filter init-params.
 */
public final class BenchServer {

    private BenchServer() {
    }

    /** A mode ending in this (e.g. {@code memsession-merge+db}) runs with the durable tier on. */
    static final String DURABLE_SUFFIX = "+db";

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int memcachedPort = Integer.parseInt(args[1]);

        // fixed-size pool: threads live as long as the server, so their allocation counters add up
        QueuedThreadPool pool = new QueuedThreadPool(64, 64);
        pool.setName("bench");
        Server server = new Server(pool);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);

        ServletContextHandler context;
        FilterHolder sessionFilter = null;
        if (mode.equals("jetty-memory")) {
            context = new ServletContextHandler(ServletContextHandler.SESSIONS);
        } else if (mode.equals("jetty-memcached")) {
            context = new ServletContextHandler(ServletContextHandler.SESSIONS);
            SessionHandler sessions = context.getSessionHandler();
            // a non-sticky cluster: no session kept in the node, every request loads it from memcached
            NullSessionCache cache = new NullSessionCache(sessions);
            MemcachedSessionDataMap map = new MemcachedSessionDataMap(
                    List.of(new InetSocketAddress("127.0.0.1", memcachedPort)), new int[] {1});
            cache.setSessionDataStore(new CachingSessionDataStore(map, new NullSessionDataStore()));
            sessions.setSessionCache(cache);
        } else if (mode.startsWith("memsession-")) {
            // with a session handler, as in a WAR: the filter reads the webapp's cookie config from it, and
            // the container's sessions are never touched because the filter answers getSession itself
            context = new ServletContextHandler(ServletContextHandler.SESSIONS);
            String[] parts = mode.substring("memsession-".length()).split(":", 2);
            sessionFilter = new FilterHolder(MemcachedSessionFilter.class);
            sessionFilter.setName("memsession");
            sessionFilter.setInitParameter("servers", "127.0.0.1:" + memcachedPort);
            String concurrency = parts[0];
            if (concurrency.endsWith(DURABLE_SUFFIX)) {
                // the durable tier in front of the database the benchmark started
                concurrency = concurrency.substring(0, concurrency.length() - DURABLE_SUFFIX.length());
                sessionFilter.setInitParameter("jdbcUrl", System.getProperty("bench.jdbcUrl"));
                sessionFilter.setInitParameter("jdbcUser", System.getProperty("bench.jdbcUser"));
                sessionFilter.setInitParameter("jdbcPassword", System.getProperty("bench.jdbcPassword"));
                sessionFilter.setInitParameter("jdbcCreateTable", "true");
            }
            sessionFilter.setInitParameter("concurrency", concurrency);
            if (parts.length == 2) {
                for (String param : parts[1].split(",")) {
                    String[] nameValue = param.split("=", 2);
                    sessionFilter.setInitParameter(nameValue[0], nameValue[1]);
                }
            }
        } else {
            throw new IllegalArgumentException("unknown mode " + mode
                    + " (jetty-memory, jetty-memcached, memsession-merge, memsession-lock, memsession-none, and any"
                    + " memsession mode with " + DURABLE_SUFFIX + ", e.g. memsession-merge+db)");
        }
        context.setContextPath("/");
        AtomicLong acknowledged = new AtomicLong();
        // first in the chain, so that it sees a /counter request end after the session filter saved it
        context.addFilter(new FilterHolder(new AcknowledgeFilter(acknowledged)), "/counter",
                EnumSet.of(DispatcherType.REQUEST));
        if (sessionFilter != null) {
            context.addFilter(sessionFilter, "/*", EnumSet.of(DispatcherType.REQUEST));
        }
        for (String path : List.of("/counter", "/read", "/static")) {
            context.addServlet(new ServletHolder(new ProfileServlet()), path);
        }
        context.addServlet(new ServletHolder(new StatsServlet(acknowledged)), "/_bench/stats");
        server.setHandler(context);
        server.setStopTimeout(2000);
        server.setStopAtShutdown(true);
        server.start();
        if (!context.isAvailable()) {
            server.stop();
            throw new IllegalStateException(mode + ": context did not start");
        }
        System.out.println("READY " + connector.getLocalPort());
        System.out.flush();
        server.join();
    }
}
