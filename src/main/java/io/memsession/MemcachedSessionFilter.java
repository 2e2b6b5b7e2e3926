package io.memsession;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.memsession.store.SessionStore;
import io.memsession.store.tiered.TierStatistics;
import io.memsession.store.tiered.TieredSessionStore;

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
 * <filter-mapping>
 *   <filter-name>memsession</filter-name><url-pattern>/*</url-pattern>
 *   <dispatcher>REQUEST</dispatcher><dispatcher>ASYNC</dispatcher><dispatcher>ERROR</dispatcher>
 * </filter-mapping>
 * }</pre>
 *
 * <p>Each request is wrapped so that its session is read from memcached when first asked for, its
 * changes are tracked, and they are written back once, before the response is committed; the
 * container's own session manager is never used. All init-params are described in
 * docs/configuration.md; a wrong value stops the webapp from starting, with a message that names it.
 */
public final class MemcachedSessionFilter implements Filter {

    /**
     * The session attribute an application may set to the user's name (a {@code String}) so that the
     * durable tier records it in its {@code principal} column, for finding all sessions of a user. A
     * request authenticated by the container needs none: its user's name is taken.
     */
    public static final String PRINCIPAL_ATTRIBUTE = "io.memsession.principal";

    private static final Logger LOG = LoggerFactory.getLogger(MemcachedSessionFilter.class);

    private static final int DEFAULT_TIMEOUT_MINUTES = 30;
    /** Request attribute holding the wrappers of a request whose session work is not complete yet. */
    private static final String IN_FLIGHT = "io.memsession.inFlight";

    /** Sessions watched for expiry announcements per node, at most. */
    static final int EXPIRY_WATCH_CAPACITY = 100_000;

    private SessionStore store;
    private SessionRepository repository;
    private SessionCookies cookies;
    private PathPatterns keepAliveExclude;
    private UrlSessionIds urlIds;
    /** Null unless {@code concurrency=lock}. */
    private SessionLocking locking;
    private PathPatterns lockExclude;
    private boolean lockTimeoutFails;
    private ExpirySweeper expirySweeper;
    /** Null unless the durable tier is on. */
    private DurableSweeper durableSweeper;
    /** The metrics' JMX registration; null before init. */
    private MetricsRegistration metricsRegistration;
    /** The metrics' Micrometer binding; null before init. */
    private MeterRegistration meterRegistration;
    private Clock clock;

    /**
     * The names of every init-param the filter reads, in the order docs/configuration.md lists them:
     * for integrations that configure it from elsewhere (the Spring Boot starter maps
     * {@code memsession.*} properties onto them).
     */
    public static List<String> initParameterNames() {
        return java.util.Arrays.stream(SessionConfig.Param.values()).map(SessionConfig.Param::paramName).toList();
    }

    @Override
    public void init(FilterConfig filterConfig) throws ServletException {
        SessionConfig config;
        try {
            config = SessionConfig.read(filterConfig);
        } catch (IllegalArgumentException e) {
            throw new ServletException(e.getMessage(), e);
        }
        ServletContext context = filterConfig.getServletContext();
        clock = Clock.systemUTC();
        AttributeCodec attributeCodec = new AttributeCodec(config.allowList());
        SessionListeners listeners = new SessionListeners(config.listeners());
        // announcing ends costs memcached work; only worth it when someone can hear it
        boolean announceEnds = !listeners.isEmpty() || !config.allowList().isEmpty();
        ExpiryWatch expiryWatch = announceEnds ? new ExpiryWatch(EXPIRY_WATCH_CAPACITY) : ExpiryWatch.DISABLED;
        MemcachedStores memcached = MemcachedStores.open(config, clock);
        store = memcached.sessions();
        SessionMetrics metrics = new SessionMetrics(memcached.serverStatistics());
        TieredSessionStore tier = null;
        if (config.durableTier() != null) {
            try {
                tier = DurableTierSetup.open(config.durableTier(), memcached.sessions(), config.keyPrefix(),
                        config.expiryGrace(), clock, SessionConfig.webappClassLoader(context.getClassLoader()));
            } catch (IllegalArgumentException e) {
                memcached.close();
                throw new ServletException(e.getMessage(), e);
            }
            context.setAttribute(TierStatistics.CONTEXT_ATTRIBUTE, tier.statistics());
            store = tier;
        }
        try {
            DocumentCompression compression = new DocumentCompression(config.compressAboveBytes());
            SessionCodec sessionCodec = new SessionCodec(attributeCodec, compression);
            repository = new SessionRepository(store, sessionCodec,
                    new SessionServices(context, attributeCodec, listeners, config.detectMutations(),
                            new SessionSizeLimit(config.maxSessionBytes(), compression)),
                    new SessionIds(new SecureRandom()), defaultMaxInactiveInterval(context), clock, metrics,
                    expiryWatch, config.concurrency(), config.maxSessionBytes(),
                    new DecodedSessionCache(config.decodedCacheSize()));
            if (config.concurrency() == ConcurrencyMode.LOCK) {
                locking = new SessionLocking(memcached.locks(), metrics, config.lockTimeout(), config.lockTtl(),
                        config.lockQueueMax(), config.durableTier() != null);
            }
            lockExclude = config.lockExclude();
            lockTimeoutFails = config.lockTimeoutFails();
            cookies = SessionCookies.from(context, config.cookieHttpOnly(), config.cookieName());
            keepAliveExclude = config.keepAliveExclude();
            urlIds = config.urlTracking() ? UrlSessionIds.enabled(cookies.name()) : UrlSessionIds.DISABLED;
            if (expiryWatch.isEnabled()) {
                expirySweeper = new ExpirySweeper(expiryWatch, repository, clock, config.expirySweep(),
                        SessionConfig.webappClassLoader(context.getClassLoader()), context.getContextPath());
            }
            if (tier != null) {
                durableSweeper = new DurableSweeper(tier, repository, sessionCodec, clock, config.expirySweep(),
                        SessionConfig.webappClassLoader(context.getClassLoader()), context.getContextPath());
            }
            context.setAttribute(SessionMetrics.CONTEXT_ATTRIBUTE, metrics);
            metricsRegistration = MetricsRegistration.register(metrics, memcached.connectionLosses(),
                    context.getContextPath());
            meterRegistration = MeterRegistration.register(metrics, context.getContextPath(),
                    MemcachedSessionFilter.class.getClassLoader());
        } catch (RuntimeException e) {
            // init fails after the client started: stop what it started, or its threads outlive the webapp
            destroy();
            throw new ServletException("memsession could not start: " + e.getMessage(), e);
        }
        LOG.info("memsession started for context '{}': servers {}{}{}, key prefix '{}'{}", context.getContextPath(),
                config.servers(), config.replicas() > 1 ? ", " + config.replicas() + " copies of each session" : "",
                config.sasl() == null ? "" : " (" + config.sasl() + ")", config.keyPrefix(),
                config.durableTier() == null ? "" : ", durable tier " + config.durableTier());
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
        if (request.getAttribute(IN_FLIGHT) instanceof InFlight open) {
            DispatcherType type = request.getDispatcherType();
            if (type == DispatcherType.ASYNC || type == DispatcherType.ERROR) {
                // a dispatch of an async request whose session work is still open: it goes on with the
                // same session, changes and lock, completed when the async cycle ends
                chain.doFilter(open.request(), open.response());
            } else {
                // forward and include already wrap memsession's request
                chain.doFilter(request, response);
            }
            return;
        }
        String path = pathWithinContext(httpRequest);
        SessionLocking lockingForPath = locking != null && !lockExclude.matches(path) ? locking : null;
        SessionRequest sessionRequest = new SessionRequest(httpRequest, httpResponse, repository, cookies, urlIds,
                lockingForPath, lockTimeoutFails, clock.millis());
        HttpServletResponse sessionResponse = new CommitAwareResponse(httpResponse, sessionRequest::commit);
        if (urlIds.isEnabled()) {
            sessionResponse = new UrlEncodingResponse(sessionResponse, sessionRequest, urlIds);
        }
        sessionRequest.respondThrough(sessionResponse);
        boolean keepAliveAllowed = !keepAliveExclude.matches(path);
        httpRequest.setAttribute(IN_FLIGHT, new InFlight(sessionRequest, sessionResponse));
        try {
            chain.doFilter(sessionRequest, sessionResponse);
        } catch (SessionLockTimeoutException e) {
            answerBusy(httpResponse, e);
        } catch (ServletException | RuntimeException e) {
            SessionLockTimeoutException busy = lockTimeoutIn(e);
            if (busy == null) {
                throw e;
            }
            answerBusy(httpResponse, busy);
        } finally {
            if (sessionRequest.isAsyncStarted()) {
                sessionRequest.getAsyncContext().addListener(
                        new CompleteWhenAsyncEnds(sessionRequest, keepAliveAllowed));
            } else {
                complete(sessionRequest, keepAliveAllowed);
            }
        }
    }

    private static void complete(SessionRequest request, boolean keepAliveAllowed) {
        try {
            request.complete(keepAliveAllowed);
        } finally {
            request.removeAttribute(IN_FLIGHT);
        }
    }

    /** HTTP 503 with Retry-After: the session stayed locked longer than the configured wait. */
    private void answerBusy(HttpServletResponse response, SessionLockTimeoutException e) throws IOException {
        LOG.info("request refused: {}", e.getMessage());
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        long seconds = Math.max(1, (locking.budget().toMillis() + 999) / 1000);
        response.setHeader("Retry-After", Long.toString(seconds));
        response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "session busy, retry shortly");
    }

    /** The lock timeout behind an exception the application or container wrapped, if any. */
    private static SessionLockTimeoutException lockTimeoutIn(Throwable thrown) {
        for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
            if (cause instanceof SessionLockTimeoutException busy) {
                return busy;
            }
        }
        return null;
    }

    @Override
    public void destroy() {
        try {
            if (metricsRegistration != null) {
                metricsRegistration.close();
            }
            if (meterRegistration != null) {
                meterRegistration.close();
            }
            if (expirySweeper != null) {
                expirySweeper.close();
            }
            if (durableSweeper != null) {
                durableSweeper.close();
            }
        } finally {
            if (store != null) {
                store.close();
            }
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

    private static String pathWithinContext(HttpServletRequest request) {
        String pathInfo = request.getPathInfo();
        return pathInfo == null ? request.getServletPath() : request.getServletPath() + pathInfo;
    }

    /** The wrappers one request's dispatches share until its session work is complete. */
    private record InFlight(SessionRequest request, HttpServletResponse response) {
    }

    /** Completes the session work of an async request when its async cycle ends, not when the filter returns. */
    private static final class CompleteWhenAsyncEnds implements AsyncListener {
        private final SessionRequest request;
        private final boolean keepAliveAllowed;

        CompleteWhenAsyncEnds(SessionRequest request, boolean keepAliveAllowed) {
            this.request = request;
            this.keepAliveAllowed = keepAliveAllowed;
        }

        @Override
        public void onComplete(AsyncEvent event) {
            complete(request, keepAliveAllowed);
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
