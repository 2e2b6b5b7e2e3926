package io.memsession;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.junit.jupiter.api.Test;

/** The Micrometer meters read the counters, carry the context tag, and go away when the webapp stops. */
class SessionMeterBinderTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void everyCounterIsPublishedUnderItsName_withTheContextTag() {
        SessionMetrics metrics = new SessionMetrics();
        metrics.recordCreated();
        metrics.recordCreated();
        metrics.recordLoadOutcome(true);
        metrics.recordLoadOutcome(true);
        metrics.recordLoadOutcome(true);
        metrics.recordLoadOutcome(false);
        metrics.recordSave();
        metrics.recordTouch();
        metrics.recordInvalidated();
        metrics.recordExpired();
        metrics.recordSaveConflict();
        metrics.recordDroppedSave();
        metrics.recordOversizedSave();
        metrics.recordUnreadable();
        metrics.recordStoreFailure();
        metrics.recordLockWait();
        metrics.recordLockTimeout();
        metrics.recordBytesRead(300);
        metrics.recordBytesWritten(700);
        metrics.recordLoad(TimeUnit.MILLISECONDS.toNanos(2));
        metrics.recordSaveLatency(TimeUnit.MILLISECONDS.toNanos(8));

        new SessionMeterBinder(metrics, "/shop").bindTo(registry);

        assertEquals(2, count("memsession.sessions.created"));
        assertEquals(3, count("memsession.sessions.loaded"));
        assertEquals(1, count("memsession.sessions.missed"));
        for (String name : new String[] {"memsession.sessions.saved", "memsession.sessions.touched",
                "memsession.sessions.invalidated", "memsession.sessions.expired", "memsession.merge.retries",
                "memsession.saves.dropped", "memsession.saves.oversized", "memsession.sessions.unreadable",
                "memsession.store.failures", "memsession.lock.waits", "memsession.lock.timeouts"}) {
            assertEquals(1, count(name), name);
        }
        assertEquals(300, count("memsession.bytes.read"));
        assertEquals(700, count("memsession.bytes.written"));
        FunctionTimer loads = registry.get("memsession.load.time").tag("context", "/shop").functionTimer();
        assertEquals(1, loads.count());
        assertEquals(2.0, loads.totalTime(TimeUnit.MILLISECONDS), 0.001);
        double p99 = gauge("memsession.load.time.p99");
        assertTrue(p99 >= 0.002 && p99 <= 0.0025, "load p99 in seconds, within a bucket: " + p99);
        double saveMax = gauge("memsession.save.time.max");
        assertTrue(saveMax >= 0.008 && saveMax <= 0.010, "save max in seconds: " + saveMax);
    }

    @Test
    void countersFollowTheMetrics_andCloseRemovesEveryMeter() {
        SessionMetrics metrics = new SessionMetrics();
        SessionMeterBinder binder = new SessionMeterBinder(metrics, "");
        binder.bindTo(registry);
        FunctionCounter created = registry.get("memsession.sessions.created").tag("context", "/").functionCounter();
        assertEquals(0, created.count());
        metrics.recordCreated();
        assertEquals(1, created.count(), "read when asked, not copied at bind time");
        assertFalse(registry.getMeters().isEmpty());

        binder.close();

        assertTrue(registry.getMeters().isEmpty(), "left behind: " + registry.getMeters());
    }

    @Test
    void theFilterBindsOnlyWhereMicrometerIsOnTheClasspath() throws Exception {
        assertTrue(MeterRegistration.isMicrometerPresent(getClass().getClassLoader()));
        try (URLClassLoader withoutMicrometer = new URLClassLoader(new URL[0], ClassLoader.getPlatformClassLoader())) {
            assertFalse(MeterRegistration.isMicrometerPresent(withoutMicrometer));
            MeterRegistration none = MeterRegistration.register(new SessionMetrics(), "/x", withoutMicrometer);
            assertFalse(none.isBound());
            none.close();
        }
        Metrics.addRegistry(registry);
        try (MeterRegistration bound = MeterRegistration.register(new SessionMetrics(), "/bound",
                getClass().getClassLoader())) {
            assertTrue(bound.isBound());
            assertNotNull(registry.find("memsession.sessions.created").tag("context", "/bound").functionCounter());
            bound.close();
            assertEquals(null, registry.find("memsession.sessions.created").tag("context", "/bound").functionCounter(),
                    "closing removes the meters from the global registry");
        } finally {
            Metrics.removeRegistry(registry);
        }
    }

    private double count(String name) {
        return registry.get(name).tag("context", "/shop").functionCounter().count();
    }

    private double gauge(String name) {
        Gauge gauge = registry.get(name).tag("context", "/shop").gauge();
        return gauge.value();
    }
}
