package io.memsession;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.memsession.store.MemcachedSessionStore;
import io.memsession.store.SessionStore;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the webapp's HTTP sessions in memcached, so that every node behind a load balancer serves
 * every user. Register it in {@code web.xml}, mapped to {@code /*}, ahead of any filter that uses the
 * session; the application itself keeps calling {@code request.getSession()} as before.
 *
 * <pre>{@code
 * <filter>
 *   <filter-name>memsession</filter-name>
 *   <filter-class>io.memsession.MemcachedSessionFilter</filter-class>
 *   <init-param><param-name>servers</param-name><param-value>10.0.0.5:11211 10.0.0.6:11211</param-value></init-param>
 * </filter>
 * <filter-mapping><filter-name>memsession</filter-name><url-pattern>/*</url-pattern></filter-mapping>
 * }</pre>
 *
 * <p>Each request is wrapped so that its session is read from memcached when first asked for, its
 * changes are tracked, and they are written back once, before the response is committed; the
 * container's own session manager is never used. All init-params are described in
 * docs/configuration.md; a wrong value stops the webapp from starting, with a message that names it.
 */
public final class MemcachedSessionFilter implements Filter {

    private static final Logger LOG = LoggerFactory.getLogger(MemcachedSessionFilter.class);

    private static final int DEFAULT_TIMEOUT_MINUTES = 30;

    private SessionStore store;
    private SessionRepository repository;
    private SessionCookies cookies;

    @Override
    public void init(FilterConfig filterConfig) throws ServletException {
        SessionConfig config;
        try {
            config = SessionConfig.read(filterConfig);
        } catch (IllegalArgumentException e) {
            throw new ServletException(e.getMessage(), e);
        }
        ServletContext context = filterConfig.getServletContext();
        SessionMetrics metrics = new SessionMetrics();
        AttributeCodec attributeCodec = new AttributeCodec(config.allowList());
        store = new MemcachedSessionStore(config.servers(), config.keyPrefix(), config.opTimeout(),
                config.connectTimeout());
        repository = new SessionRepository(store, new SessionCodec(attributeCodec), attributeCodec,
                new SessionIds(new SecureRandom()), context, defaultMaxInactiveInterval(context),
                Clock.systemUTC(), metrics);
        cookies = SessionCookies.from(context, config.cookieHttpOnly());
        context.setAttribute(SessionMetrics.CONTEXT_ATTRIBUTE, metrics);
        LOG.info("memsession started for context '{}': servers {}, key prefix '{}'", context.getContextPath(),
                config.servers(), config.keyPrefix());
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest httpRequest)
                || !(response instanceof HttpServletResponse httpResponse)
                || request instanceof SessionRequest) {
            chain.doFilter(request, response);
            return;
        }
        SessionRequest sessionRequest = new SessionRequest(httpRequest, httpResponse, repository, cookies);
        CommitAwareResponse commitAwareResponse = new CommitAwareResponse(httpResponse, sessionRequest::commit);
        try {
            chain.doFilter(sessionRequest, commitAwareResponse);
        } finally {
            if (sessionRequest.isAsyncStarted()) {
                sessionRequest.getAsyncContext().addListener(new CommitWhenAsyncEnds(sessionRequest));
            } else {
                sessionRequest.commit();
            }
        }
    }

    @Override
    public void destroy() {
        if (store != null) {
            store.close();
        }
    }

    /**
     * The webapp's {@code <session-timeout>} in seconds, or 30 minutes when it sets none. A timeout of
     * zero or less (never) is also taken as 30 minutes: embedded containers report that when nothing
     * was configured, and sessions that never expire would fill memcached. An application that means
     * it calls {@code setMaxInactiveInterval(-1)}.
     */
    private static int defaultMaxInactiveInterval(ServletContext context) {
        int minutes;
        try {
            minutes = context.getSessionTimeout();
        } catch (UnsupportedOperationException e) {
            minutes = DEFAULT_TIMEOUT_MINUTES;
        }
        return (minutes <= 0 ? DEFAULT_TIMEOUT_MINUTES : minutes) * 60;
    }

    /** Commits the session of an async request when its async cycle ends, not when the filter returns. */
    private static final class CommitWhenAsyncEnds implements AsyncListener {
        private final SessionRequest request;

        CommitWhenAsyncEnds(SessionRequest request) {
            this.request = request;
        }

        @Override
        public void onComplete(AsyncEvent event) {
            request.commit();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            // onComplete follows
        }

        @Override
        public void onError(AsyncEvent event) {
            // onComplete follows
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            event.getAsyncContext().addListener(this);
        }
    }
}
