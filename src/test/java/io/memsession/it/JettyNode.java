package io.memsession.it;

import jakarta.servlet.SessionCookieConfig;
import java.util.EnumSet;
import java.util.EventListener;
import org.eclipse.jetty.ee10.servlet.ErrorPageErrorHandler;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ListenerHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A {@link ContainerNode} on Jetty 12 (ee10): a {@link ServletContextHandler} with
 * {@link ServletContextHandler#SESSIONS}, so Jetty's own session handling stays enabled behind the filter.
 */
final class JettyNode extends ContainerNode {

    private Server server;
    private ServerConnector connector;

    JettyNode(Builder b) {
        super(b);
    }

    static Builder builder(String name) {
        return Kind.JETTY.builder(name);
    }

    @Override
    void start() throws Exception {
        if (!jndiResources.isEmpty()) {
            throw new UnsupportedOperationException("JNDI resources are set up on Tomcat nodes only");
        }
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);

        ServletContextHandler context = new ServletContextHandler(
                containerSessions ? ServletContextHandler.SESSIONS : ServletContextHandler.NO_SESSIONS);
        context.setContextPath(contextPath);
        context.setDisplayName(name);
        if (classLoader != null) {
            context.setClassLoader(classLoader);
        }
        if (containerSessions) {
            if (sessionTimeoutMinutes != null) {
                context.getSessionHandler().setMaxInactiveInterval(sessionTimeoutMinutes * 60);
            }
            SessionCookieConfig cookies = context.getSessionHandler().getSessionCookieConfig();
            cookieConfig.forEach(change -> change.accept(cookies));
        }
        context.addEventListener(containerSessionCounter());
        for (Class<? extends EventListener> type : listeners) {
            ListenerHolder holder = new ListenerHolder(type);
            context.getServletHandler().addListener(holder);
        }
        if (filterClass != null) {
            FilterHolder filter = new FilterHolder(filterClass);
            filter.setName("memsession");
            filter.setInitParameters(initParams);
            filter.setAsyncSupported(true);
            context.addFilter(filter, "/*", EnumSet.copyOf(dispatcherTypes));
        }
        ServletHolder probe = new ServletHolder("probe", ProbeServlet.class);
        probe.setAsyncSupported(true);
        context.addServlet(probe, PROBE);
        context.addServlet(new ServletHolder("plain", PlainServlet.class), PLAIN);
        for (ServletSpec spec : servlets) {
            ServletHolder holder = new ServletHolder(spec.name(), spec.type());
            holder.setAsyncSupported(spec.asyncSupported());
            for (String pattern : spec.patterns()) {
                context.addServlet(holder, pattern);
            }
        }
        if (!errorPages.isEmpty()) {
            ErrorPageErrorHandler errors = new ErrorPageErrorHandler();
            errorPages.forEach(errors::addErrorPage);
            context.setErrorHandler(errors);
        }
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

    @Override
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    @Override
    int port() {
        return connector.getLocalPort();
    }
}
