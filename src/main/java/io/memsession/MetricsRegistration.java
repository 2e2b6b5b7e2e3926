package io.memsession;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.TreeMap;

import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import io.memsession.store.ConnectionLosses;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes one webapp's {@link SessionMetrics} in the platform MBeanServer for as long as its filter
 * runs. Failing to publish never stops the webapp: it is logged, and the metrics stay available as the
 * servlet context attribute.
 */
final class MetricsRegistration implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsRegistration.class);
    /** Webapps of one JVM that share a context path (several connectors, tests) get instance=2, 3, ... */
    private static final int MAX_INSTANCES = 100;

    private final MBeanServer server;
    private final ObjectName name;

    private MetricsRegistration(MBeanServer server, ObjectName name) {
        this.server = server;
        this.name = name;
    }

    /**
     * Registers the metrics of the webapp at {@code contextPath}, with the memcached client's connection
     * losses per server when {@code connectionLosses} is not null; never throws.
     */
    static MetricsRegistration register(SessionMetrics metrics, ConnectionLosses connectionLosses,
            String contextPath) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        String base = "io.memsession:type=SessionMetrics,context="
                + ObjectName.quote(contextPath == null || contextPath.isEmpty() ? "/" : contextPath);
        try {
            for (int instance = 1; instance <= MAX_INSTANCES; instance++) {
                ObjectName name = new ObjectName(instance == 1 ? base : base + ",instance=" + instance);
                try {
                    server.registerMBean(new MetricsView(metrics, connectionLosses), name);
                    return new MetricsRegistration(server, name);
                } catch (InstanceAlreadyExistsException taken) {
                    // another webapp of this JVM has the same context path: try the next instance number
                }
            }
            LOG.warn("session metrics not published in JMX: {} instances of {} exist already", MAX_INSTANCES, base);
        } catch (JMException | SecurityException e) {
            LOG.warn("session metrics not published in JMX: {}", e.toString());
        }
        return new MetricsRegistration(server, null);
    }

    /** The name the metrics were published under, or null when they were not. */
    ObjectName name() {
        return name;
    }

    @Override
    public void close() {
        if (name == null) {
            return;
        }
        try {
            server.unregisterMBean(name);
        } catch (JMException e) {
            LOG.warn("session metrics could not be removed from JMX: {}", e.toString());
        }
    }

    /** The read-only JMX view of the counters. */
    private static final class MetricsView implements SessionMetricsMXBean {
        private final SessionMetrics metrics;
        private final ConnectionLosses connectionLosses;

        MetricsView(SessionMetrics metrics, ConnectionLosses connectionLosses) {
            this.metrics = metrics;
            this.connectionLosses = connectionLosses;
        }

        @Override
        public Map<String, Long> getServerConnectionLosses() {
            return connectionLosses == null ? Map.of() : connectionLosses.byServer();
        }

        @Override
        public long getLoads() {
            return metrics.loads();
        }

        @Override
        public long getMeanLoadMicros() {
            long loads = metrics.loads();
            return loads == 0 ? 0 : metrics.loadNanos() / loads / 1000;
        }

        @Override
        public long getSaves() {
            return metrics.saves();
        }

        @Override
        public long getTouches() {
            return metrics.touches();
        }

        @Override
        public long getSaveConflicts() {
            return metrics.saveConflicts();
        }

        @Override
        public long getDroppedSaves() {
            return metrics.droppedSaves();
        }

        @Override
        public long getOversizedSaves() {
            return metrics.oversizedSaves();
        }

        @Override
        public long getUnreadableSessions() {
            return metrics.unreadableSessions();
        }

        @Override
        public long getStoreFailures() {
            return metrics.storeFailures();
        }

        @Override
        public long getSessionsCreated() {
            return metrics.sessionsCreated();
        }

        @Override
        public long getSessionsLoaded() {
            return metrics.sessionsLoaded();
        }

        @Override
        public long getSessionsMissed() {
            return metrics.sessionsMissed();
        }

        @Override
        public long getSessionsInvalidated() {
            return metrics.sessionsInvalidated();
        }

        @Override
        public long getSessionsExpired() {
            return metrics.sessionsExpired();
        }

        @Override
        public long getBytesRead() {
            return metrics.bytesRead();
        }

        @Override
        public long getBytesWritten() {
            return metrics.bytesWritten();
        }

        @Override
        public long getLockWaits() {
            return metrics.lockWaits();
        }

        @Override
        public long getLockTimeouts() {
            return metrics.lockTimeouts();
        }

        @Override
        public long getLoadMicrosP50() {
            return metrics.loadMicros(0.5);
        }

        @Override
        public long getLoadMicrosP99() {
            return metrics.loadMicros(0.99);
        }

        @Override
        public long getLoadMicrosMax() {
            return metrics.loadMicros(1.0);
        }

        @Override
        public long getSaveMicrosP50() {
            return metrics.saveMicros(0.5);
        }

        @Override
        public long getSaveMicrosP99() {
            return metrics.saveMicros(0.99);
        }

        @Override
        public long getSaveMicrosMax() {
            return metrics.saveMicros(1.0);
        }

        @Override
        public Map<String, Long> getServerErrors() {
            return metrics.servers().errorsByServer();
        }

        @Override
        public Map<String, Long> getServerTimeouts() {
            return metrics.servers().timeoutsByServer();
        }

        @Override
        public Map<String, String> getServerBreakerStates() {
            Map<String, String> states = new TreeMap<>();
            metrics.servers().breakerStates().forEach((server, state) -> states.put(server, state.name()));
            return states;
        }
    }
}
