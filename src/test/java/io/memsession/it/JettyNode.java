package io.memsession.it;

import io.memsession.MemcachedSessionFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionListener;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Test fixture: one real Jetty 12 (ee10) server on 127.0.0.1 with one webapp context whose every
 * request passes through {@link MemcachedSessionFilter}, serving {@link ProbeServlet} at {@code /probe}
 * and {@link PlainServlet} at {@code /plain}.
 *
 * <p>Jetty's own session handling stays enabled ({@link ServletContextHandler#SESSIONS}) so that a test
 * can prove the container's session is never created behind the filter: {@link #containerSessionsCreated()}
 * counts {@code sessionCreated} events from a listener registered on the context.
 */
final class JettyNode implements AutoCloseable {

    static final String PROBE = "/probe";
    static final String PLAIN = "/plain";

    private final String name;
    private final String contextPath;
    private final Map<String, String> initParams;
    private final Integer sessionTimeoutMinutes;
    private final String cookieName;
    private final Class<? extends Filter> filterClass;
    private final AtomicInteger containerSessionsCreated = new AtomicInteger();

    private Server server;
    private ServerConnector connector;
    private ServletContextHandler context;

    private JettyNode(Builder b) {
        this.name = b.name;
        this.contextPath = b.contextPath;
        this.initParams = Map.copyOf(b.initParams);
        this.sessionTimeoutMinutes = b.sessionTimeoutMinutes;
        this.cookieName = b.cookieName;
        this.filterClass = b.filterClass;
    }

    static Builder builder(String name) {
        return new Builder(name);
    }

    static final class Builder {
        private final String name;
        private String contextPath = "/app";
        private final Map<String, String> initParams = new LinkedHashMap<>();
        private Integer sessionTimeoutMinutes;
        private String cookieName;
        private Class<? extends Filter> filterClass = MemcachedSessionFilter.class;

        private Builder(String name) {
            this.name = name;
        }

        Builder contextPath(String path) {
            this.contextPath = path;
            return this;
        }

        /** The memcached address for the {@code servers} init-param. */
        Builder servers(String servers) {
            return initParam("servers", servers);
        }

        Builder initParam(String key, String value) {
            initParams.put(key, value);
            return this;
        }

        /** The webapp's session-timeout, as {@code <session-config><session-timeout>} would set it. */
        Builder sessionTimeoutMinutes(int minutes) {
            this.sessionTimeoutMinutes = minutes;
            return this;
        }

        /** The webapp's SessionCookieConfig name. */
        Builder cookieName(String name) {
            this.cookieName = name;
            return this;
        }

        /** Replaces the filter under test (fixture self-checks only); null: no filter at all. */
        Builder filter(Class<? extends Filter> filterClass) {
            this.filterClass = filterClass;
            return this;
        }

        JettyNode build() {
            return new JettyNode(this);
        }

        /** Builds and starts; throws what the server's start threw. */
        JettyNode start() throws Exception {
            JettyNode node = build();
            node.start();
            return node;
        }
    }

    /**
     * Starts the server. When the context fails to start (e.g. the filter's init throws), this throws
     * the failure, whatever way Jetty reports it, and leaves nothing running.
     */
    void start() throws Exception {
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);

        context = new ServletContextHandler(ServletContextHandler.SESSIONS);
        context.setContextPath(contextPath);
        context.setDisplayName(name);
        if (sessionTimeoutMinutes != null) {
            context.getSessionHandler().setMaxInactiveInterval(sessionTimeoutMinutes * 60);
        }
        if (cookieName != null) {
            context.getSessionHandler().getSessionCookieConfig().setName(cookieName);
        }
        context.addEventListener(new HttpSessionListener() {
            @Override
            public void sessionCreated(HttpSessionEvent se) {
                containerSessionsCreated.incrementAndGet();
            }
        });
        if (filterClass != null) {
            FilterHolder filter = new FilterHolder(filterClass);
            filter.setName("memsession");
            filter.setInitParameters(initParams);
            context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        }
        context.addServlet(new ServletHolder("probe", ProbeServlet.class), PROBE);
        context.addServlet(new ServletHolder("plain", PlainServlet.class), PLAIN);
        server.setHandler(context);
        server.setStopTimeout(2000);

        try {
            server.start();
        } catch (Exception e) {
            stopQuietly();
            throw e;
        }
        if (!context.isAvailable() || !context.isStarted()) {
            stopQuietly();
            throw new IllegalStateException("context " + contextPath + " of " + name + " did not start");
        }
    }

    private void stopQuietly() {
        try {
            server.stop();
        } catch (Exception ignored) {
            // already failing
        }
    }

    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }

    String name() {
        return name;
    }

    int port() {
        return connector.getLocalPort();
    }

    String contextPath() {
        return contextPath;
    }

    ServletContextHandler context() {
        return context;
    }

    /** Sessions the container itself created in this context (must stay 0 behind the filter). */
    int containerSessionsCreated() {
        return containerSessionsCreated.get();
    }

    /** Absolute URL of {@code path} inside this webapp. */
    String url(String path) {
        return "http://127.0.0.1:" + port() + contextPath + path;
    }

    /** URL of the probe servlet running {@code ops} in order (see {@link ProbeServlet}). */
    String probe(String... ops) {
        StringJoiner q = new StringJoiner("&", url(PROBE) + "?", "");
        q.setEmptyValue(url(PROBE));
        for (String op : ops) {
            q.add("do=" + URLEncoder.encode(op, StandardCharsets.UTF_8));
        }
        return q.toString();
    }

    /** Path and query (no host) of the probe running {@code ops}, for raw-socket requests. */
    String probePath(String... ops) {
        String full = probe(ops);
        return full.substring(("http://127.0.0.1:" + port()).length());
    }

    @Override
    public String toString() {
        return name + "(" + (server == null ? "unstarted" : url("")) + ")";
    }
}
