package io.memsession.bench;

import java.util.EnumSet;
import java.util.Map;

import jakarta.servlet.DispatcherType;

import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import io.memsession.MemcachedSessionFilter;

/** One web node of the benchmark: Jetty 12 (ee10) with the filter in front of {@link BenchServlet}. */
final class BenchNode implements AutoCloseable {

    private final String name;
    private final Server server;
    private final ServerConnector connector;

    private BenchNode(String name, Server server, ServerConnector connector) {
        this.name = name;
        this.server = server;
        this.connector = connector;
    }

    /** Starts a node on a free 127.0.0.1 port with these filter init-params. */
    static BenchNode start(String name, Map<String, String> initParams) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);

        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SESSIONS);
        context.setContextPath("/");
        context.setDisplayName("bench-" + name);
        FilterHolder filter = new FilterHolder(MemcachedSessionFilter.class);
        filter.setName("memsession");
        filter.setInitParameters(initParams);
        context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder("bench", BenchServlet.class), "/bench/*");
        server.setHandler(context);
        server.setStopTimeout(2000);
        BenchNode node = new BenchNode(name, server, connector);
        try {
            server.start();
        } catch (Exception e) {
            node.close();
            throw e;
        }
        if (!context.isAvailable()) {
            node.close();
            throw new IllegalStateException("node " + name + ": context did not start (filter init failed?)");
        }
        return node;
    }

    String name() {
        return name;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + connector.getLocalPort() + "/bench/";
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
