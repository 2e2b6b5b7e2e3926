package io.memsession;

import io.micrometer.core.instrument.Metrics;

/**
 * The one place that touches Micrometer's global registry; loaded only by {@link MeterRegistration} once
 * it knows Micrometer is there, which is why its method names no Micrometer type.
 */
final class GlobalRegistryBinding {

    private GlobalRegistryBinding() {
    }

    /** Binds the metrics to {@code Metrics.globalRegistry}; closing the result removes the meters. */
    static AutoCloseable bind(SessionMetrics metrics, String contextPath) {
        SessionMeterBinder binder = new SessionMeterBinder(metrics, contextPath);
        binder.bindTo(Metrics.globalRegistry);
        return binder;
    }
}
