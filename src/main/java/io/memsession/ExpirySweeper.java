package io.memsession;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One daemon thread per webapp that, every {@code period}, asks the repository to end the watched
 * sessions whose deadline has passed. Runs with the webapp's class loader, so that listeners and
 * stored application classes resolve as they do on request threads.
 */
final class ExpirySweeper implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ExpirySweeper.class);

    private static final long CLOSE_WAIT_SECONDS = 10;

    private final ExpiryWatch watch;
    private final SessionRepository repository;
    private final Clock clock;
    private final ScheduledExecutorService executor;

    ExpirySweeper(ExpiryWatch watch, SessionRepository repository, Clock clock, Duration period,
            ClassLoader webappClassLoader, String contextName) {
        this.watch = watch;
        this.repository = repository;
        this.clock = clock;
        this.executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "memsession-expiry" + contextName);
            thread.setDaemon(true);
            thread.setContextClassLoader(webappClassLoader);
            return thread;
        });
        long millis = period.toMillis();
        executor.scheduleWithFixedDelay(this::sweep, millis, millis, TimeUnit.MILLISECONDS);
    }

    void sweep() {
        for (String id : watch.dueBy(clock.millis())) {
            try {
                repository.endIfExpired(id);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                // whatever a listener throws must not stop this and every later sweep of the node
                LOG.warn("announcing the end of an expired session failed", e);
            }
        }
    }

    /**
     * Stops the sweeps and waits (a bounded time) for a running one to finish, so that no sweep calls
     * a store that is being closed, nor outlives the webapp at undeploy.
     */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                executor.shutdownNow();
                LOG.warn("the expiry sweep did not finish within {} s of the webapp stopping", CLOSE_WAIT_SECONDS);
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
