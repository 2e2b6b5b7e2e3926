package io.memsession;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import io.memsession.store.ServerStatistics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Publishes one webapp's {@link SessionMetrics} as Micrometer meters named {@code memsession.*}, tagged
 * with the webapp's {@code context} path (and {@code server}, {@code host:port} as configured, for the
 * per-server ones); docs/operations.md "Monitoring" lists them. The meters read the counters when the
 * registry asks, so a request pays nothing for them.
 *
 * <p>{@link MemcachedSessionFilter} binds one to Micrometer's global registry by itself when Micrometer is
 * on the webapp's classpath; an application that keeps its own registry can bind one to it with the
 * metrics the filter publishes as the servlet context attribute {@value SessionMetrics#CONTEXT_ATTRIBUTE}.
 * {@link #close()} removes every meter it registered, so that a redeployed webapp leaves none behind.
 */
public final class SessionMeterBinder implements MeterBinder, AutoCloseable {

    /** The value of {@code memsession.server.breaker} per state. */
    static final double BREAKER_CLOSED = 0;
    static final double BREAKER_PROBING = 1;
    static final double BREAKER_OPEN = 2;

    private final SessionMetrics metrics;
    private final Tags tags;
    private final List<Registered> registered = new ArrayList<>();

    /**
     * @param contextPath the webapp's context path, the {@code context} tag ("/" for the root webapp)
     */
    public SessionMeterBinder(SessionMetrics metrics, String contextPath) {
        this.metrics = metrics;
        this.tags = Tags.of("context", contextPath == null || contextPath.isEmpty() ? "/" : contextPath);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        counter(registry, "memsession.sessions.created", "sessions created by the application",
                SessionMetrics::sessionsCreated);
        counter(registry, "memsession.sessions.loaded", "requests whose session id found a live session",
                SessionMetrics::sessionsLoaded);
        counter(registry, "memsession.sessions.missed", "requests whose session id found no live session",
                SessionMetrics::sessionsMissed);
        counter(registry, "memsession.sessions.saved", "session documents written", SessionMetrics::saves);
        counter(registry, "memsession.sessions.touched", "accesses of unchanged sessions recorded",
                SessionMetrics::touches);
        counter(registry, "memsession.sessions.invalidated", "sessions ended by invalidate()",
                SessionMetrics::sessionsInvalidated);
        counter(registry, "memsession.sessions.expired", "sessions found expired", SessionMetrics::sessionsExpired);
        counter(registry, "memsession.sessions.unreadable", "stored sessions or attributes that could not be read",
                SessionMetrics::unreadableSessions);
        counter(registry, "memsession.merge.retries", "saves that met a concurrent write and merged again",
                SessionMetrics::saveConflicts);
        counter(registry, "memsession.saves.dropped", "session changes lost", SessionMetrics::droppedSaves);
        counter(registry, "memsession.saves.oversized", "saves refused as larger than maxSessionBytes",
                SessionMetrics::oversizedSaves);
        counter(registry, "memsession.store.failures", "store operations that failed or timed out",
                SessionMetrics::storeFailures);
        counter(registry, "memsession.lock.waits", "requests that waited for their session's lock",
                SessionMetrics::lockWaits);
        counter(registry, "memsession.lock.timeouts", "requests that did not get their session's lock in time",
                SessionMetrics::lockTimeouts);
        add(registry, FunctionCounter.builder("memsession.bytes.read", metrics, m -> m.bytesRead())
                .baseUnit("bytes").description("bytes of session documents read").tags(tags).register(registry));
        add(registry, FunctionCounter.builder("memsession.bytes.written", metrics, m -> m.bytesWritten())
                .baseUnit("bytes").description("bytes of session documents sent to the store").tags(tags)
                .register(registry));
        add(registry, FunctionTimer.builder("memsession.load.time", metrics, SessionMetrics::loads,
                SessionMetrics::loadNanos, TimeUnit.NANOSECONDS)
                .description("store loads of a session").tags(tags).register(registry));
        latency(registry, "memsession.load.time", SessionMetrics::loadMicros);
        latency(registry, "memsession.save.time", SessionMetrics::saveMicros);
        ServerStatistics servers = metrics.servers();
        for (String server : servers.servers()) {
            Tags serverTags = tags.and("server", server);
            add(registry, FunctionCounter.builder("memsession.server.errors", servers, s -> s.errors(server))
                    .description("calls to the memcached server that failed, timeouts excepted").tags(serverTags)
                    .register(registry));
            add(registry, FunctionCounter.builder("memsession.server.timeouts", servers, s -> s.timeouts(server))
                    .description("calls to the memcached server that timed out").tags(serverTags).register(registry));
            add(registry, FunctionCounter.builder("memsession.server.connection.losses", servers,
                    s -> s.connectionLosses(server))
                    .description("connections to the memcached server lost").tags(serverTags).register(registry));
            add(registry, Gauge.builder("memsession.server.breaker", servers, s -> breakerValue(s, server))
                    .description("breaker of the memcached server: 0 closed, 1 probing, 2 open").tags(serverTags)
                    .strongReference(true).register(registry));
        }
    }

    /** Removes the meters this binder registered from every registry it was bound to. */
    @Override
    public synchronized void close() {
        for (Registered meter : registered) {
            meter.registry().remove(meter.meter());
        }
        registered.clear();
    }

    static double breakerValue(ServerStatistics servers, String server) {
        return switch (servers.breakerState(server)) {
            case CLOSED -> BREAKER_CLOSED;
            case PROBING -> BREAKER_PROBING;
            case OPEN -> BREAKER_OPEN;
        };
    }

    private void counter(MeterRegistry registry, String name, String description, ToDoubleFunction<SessionMetrics> count) {
        add(registry, FunctionCounter.builder(name, metrics, count).description(description).tags(tags)
                .register(registry));
    }

    private void latency(MeterRegistry registry, String name, Percentile percentile) {
        String[][] quantiles = {{"p50", "0.5"}, {"p99", "0.99"}, {"max", "1"}};
        for (String[] quantile : quantiles) {
            double q = Double.parseDouble(quantile[1]);
            add(registry, Gauge.builder(name + "." + quantile[0], metrics, m -> percentile.micros(m, q) / 1e6)
                    .baseUnit("seconds").description(quantile[0] + " over the last minute or two").tags(tags)
                    .strongReference(true).register(registry));
        }
    }

    private synchronized void add(MeterRegistry registry, Meter meter) {
        registered.add(new Registered(registry, meter));
    }

    @FunctionalInterface
    private interface Percentile {
        long micros(SessionMetrics metrics, double quantile);
    }

    private record Registered(MeterRegistry registry, Meter meter) {
    }
}
