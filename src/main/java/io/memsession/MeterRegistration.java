package io.memsession;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds a webapp's metrics to Micrometer's global registry when Micrometer is on the webapp's classpath,
 * and does nothing otherwise: Micrometer is an optional dependency, and this class names none of its
 * types, so that it loads without it. The binding lasts until {@link #close()}.
 */
final class MeterRegistration implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MeterRegistration.class);
    /** The class whose presence means Micrometer is there. */
    static final String MICROMETER_CLASS = "io.micrometer.core.instrument.MeterRegistry";

    private final AutoCloseable binding;

    private MeterRegistration(AutoCloseable binding) {
        this.binding = binding;
    }

    /**
     * Binds to {@code Metrics.globalRegistry} when {@code loader} (the one that loaded memsession) sees
     * Micrometer; never throws.
     */
    static MeterRegistration register(SessionMetrics metrics, String contextPath, ClassLoader loader) {
        if (!isMicrometerPresent(loader)) {
            return new MeterRegistration(null);
        }
        try {
            return new MeterRegistration(GlobalRegistryBinding.bind(metrics, contextPath));
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("session metrics not published to Micrometer: {}", e.toString());
            return new MeterRegistration(null);
        }
    }

    static boolean isMicrometerPresent(ClassLoader loader) {
        try {
            Class.forName(MICROMETER_CLASS, false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Whether the metrics were bound to Micrometer. */
    boolean isBound() {
        return binding != null;
    }

    @Override
    public void close() {
        if (binding == null) {
            return;
        }
        try {
            binding.close();
        } catch (Exception e) {
            LOG.warn("session metrics could not be removed from Micrometer: {}", e.toString());
        }
    }
}
