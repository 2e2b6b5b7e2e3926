package io.memsession.it;

import io.memsession.MemcachedSessionFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.Servlet;
import jakarta.servlet.SessionCookieConfig;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionListener;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.EventListener;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Test fixture: one real servlet container (Jetty 12 ee10 or embedded Tomcat 11) on 127.0.0.1, port
 * chosen by the OS, with one webapp context whose requests pass through {@link MemcachedSessionFilter},
 * serving {@link ProbeServlet} at {@link #PROBE} and {@link PlainServlet} at {@link #PLAIN}, plus whatever
 * extra servlets, listeners and error pages a test adds through the {@link Builder}.
 *
 * <p>The container's own session manager stays enabled, so that a test can prove it is never used behind
 * the filter: {@link #containerSessionsCreated()} counts {@code sessionCreated} events of an
 * {@link HttpSessionListener} registered with the container itself.
 *
 * <p>Everything a test asks of a node is container-neutral; {@link JettyNode} and {@link TomcatNode} map
 * it onto their container's embedding API.
 */
abstract class ContainerNode implements AutoCloseable {

    static final String PROBE = "/probe";
    static final String PLAIN = "/plain";

    /** The containers the suites run on. */
    enum Kind {
        JETTY, TOMCAT;

        Builder builder(String name) {
            return new Builder(this, name);
        }

        ContainerNode create(Builder b) {
            return switch (this) {
                case JETTY -> new JettyNode(b);
                case TOMCAT -> new TomcatNode(b);
            };
        }
    }

    /** An extra servlet of the webapp, mapped to one or more URL patterns. */
    record ServletSpec(String name, Class<? extends Servlet> type, boolean asyncSupported, List<String> patterns) {
    }

    protected final Kind kind;
    protected final String name;
    protected final String contextPath;
    protected final Map<String, String> initParams;
    protected final boolean containerSessions;
    protected final Integer sessionTimeoutMinutes;
    protected final List<Consumer<SessionCookieConfig>> cookieConfig;
    protected final Class<? extends Filter> filterClass;
    protected final Set<DispatcherType> dispatcherTypes;
    protected final List<ServletSpec> servlets;
    protected final List<Class<? extends EventListener>> listeners;
    protected final Map<Integer, String> errorPages;
    protected final ClassLoader classLoader;
    protected final Map<String, JndiResource> jndiResources;
    private final AtomicInteger containerSessionsCreated = new AtomicInteger();

    protected ContainerNode(Builder b) {
        this.kind = b.kind;
        this.name = b.name;
        this.contextPath = b.contextPath;
        this.initParams = Map.copyOf(b.initParams);
        this.containerSessions = b.containerSessions;
        this.sessionTimeoutMinutes = b.sessionTimeoutMinutes;
        this.cookieConfig = List.copyOf(b.cookieConfig);
        this.filterClass = b.filterClass;
        this.dispatcherTypes = Set.copyOf(b.dispatcherTypes);
        this.servlets = List.copyOf(b.servlets);
        this.listeners = List.copyOf(b.listeners);
        this.errorPages = Map.copyOf(b.errorPages);
        this.classLoader = b.classLoader;
        this.jndiResources = Map.copyOf(b.jndiResources);
    }

    /** Options of a node, the same for every container. Build with {@link Kind#builder(String)}. */
    static final class Builder {
        private final Kind kind;
        private final String name;
        private String contextPath = "/app";
        private final Map<String, String> initParams = new LinkedHashMap<>();
        private Integer sessionTimeoutMinutes;
        private final List<Consumer<SessionCookieConfig>> cookieConfig = new ArrayList<>();
        private Class<? extends Filter> filterClass = MemcachedSessionFilter.class;
        private final EnumSet<DispatcherType> dispatcherTypes = EnumSet.of(DispatcherType.REQUEST);
        private final List<ServletSpec> servlets = new ArrayList<>();
        private final List<Class<? extends EventListener>> listeners = new ArrayList<>();
        private final Map<Integer, String> errorPages = new LinkedHashMap<>();
        private ClassLoader classLoader;
        private boolean containerSessions = true;
        private final Map<String, JndiResource> jndiResources = new LinkedHashMap<>();

        private Builder(Kind kind, String name) {
            this.kind = kind;
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
        Builder cookieName(String cookieName) {
            return cookieConfig(c -> c.setName(cookieName));
        }

        /**
         * Changes the webapp's {@link SessionCookieConfig} while the context starts, as
         * {@code <session-config><cookie-config>} or a ServletContainerInitializer would.
         */
        Builder cookieConfig(Consumer<SessionCookieConfig> change) {
            cookieConfig.add(change);
            return this;
        }

        /** Replaces the filter under test (fixture self-checks only); null: no filter at all. */
        Builder filter(Class<? extends Filter> type) {
            this.filterClass = type;
            return this;
        }

        /** The dispatcher types of the filter's {@code /*} mapping; REQUEST only unless set. */
        Builder dispatcherTypes(DispatcherType first, DispatcherType... rest) {
            dispatcherTypes.clear();
            dispatcherTypes.addAll(EnumSet.of(first, rest));
            return this;
        }

        /** An extra servlet, as a {@code <servlet>} with its {@code <servlet-mapping>}s. */
        Builder servlet(String servletName, Class<? extends Servlet> type, boolean asyncSupported,
                String... patterns) {
            servlets.add(new ServletSpec(servletName, type, asyncSupported, List.of(patterns)));
            return this;
        }

        /** A listener class declared with the container, as {@code <listener>} in web.xml would. */
        Builder listener(Class<? extends EventListener> type) {
            listeners.add(type);
            return this;
        }

        /** An {@code <error-page>} for a status code. */
        Builder errorPage(int status, String location) {
            errorPages.put(status, location);
            return this;
        }

        /**
         * The webapp's class loader, as a deployed webapp always has ({@code ServletContext.getClassLoader()}).
         * Unset, an embedded Jetty {@code ServletContextHandler} has none (null); Tomcat always has its own
         * webapp class loader, whose parent this becomes.
         */
        Builder classLoader(ClassLoader loader) {
            this.classLoader = loader;
            return this;
        }

        /**
         * A resource the container binds under {@code java:comp/env/<name>}: a bean of {@code type}
         * built by the container from {@code properties} (its setters), as a {@code <Resource>} in a
         * Tomcat {@code context.xml} would. Tomcat only.
         */
        Builder jndiResource(String name, Class<?> type, Map<String, String> properties) {
            jndiResources.put(name, new JndiResource(type, Map.copyOf(properties)));
            return this;
        }

        /**
         * A context without a session manager of the container's own (Jetty's {@code NO_SESSIONS}): its
         * {@code getSessionCookieConfig()} is null. Jetty only.
         */
        Builder withoutContainerSessions() {
            this.containerSessions = false;
            return this;
        }

        ContainerNode build() {
            return kind.create(this);
        }

        /** Builds and starts; throws what the server's start threw (or reported). */
        ContainerNode start() throws Exception {
            ContainerNode node = build();
            node.start();
            return node;
        }
    }

    /** A bean the container builds and binds in the webapp's JNDI environment. */
    record JndiResource(Class<?> type, Map<String, String> properties) {
    }

    /**
     * Starts the server. When the context fails to start (e.g. the filter's init throws), this throws
     * the failure, whatever way the container reports it, and leaves nothing running.
     */
    abstract void start() throws Exception;

    abstract void stop() throws Exception;

    /** The port the connector really listens on. */
    abstract int port();

    @Override
    public void close() throws Exception {
        stop();
    }

    Kind kind() {
        return kind;
    }

    String name() {
        return name;
    }

    String contextPath() {
        return contextPath;
    }

    /** Sessions the container itself created in this context (must stay 0 behind the filter). */
    int containerSessionsCreated() {
        return containerSessionsCreated.get();
    }

    /** The listener a node registers with its container to count the container's own sessions. */
    protected final HttpSessionListener containerSessionCounter() {
        return new HttpSessionListener() {
            @Override
            public void sessionCreated(HttpSessionEvent se) {
                containerSessionsCreated.incrementAndGet();
            }
        };
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
        return pathOf(probe(ops));
    }

    /** Path and query (no host) of an absolute URL of this node. */
    String pathOf(String absoluteUrl) {
        return absoluteUrl.substring(("http://127.0.0.1:" + port()).length());
    }

    @Override
    public String toString() {
        return kind + ":" + name;
    }
}
