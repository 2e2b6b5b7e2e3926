package io.memsession;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.memsession.store.SessionStoreException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One daemon thread per webapp that, every {@code period}, asks the repository to end the watched
 * sessions whose deadline has passed. Runs with the webapp's class loader, so that listeners and
 * stored application classes resolve as they do on request threads.
 */
final class ExpirySweeper implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ExpirySweeper.class);

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
            } catch (SessionStoreException e) {
                // logged by the repository; the watch keeps the session for the next sweep
                continue;
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                // whatever a listener throws must not stop this and every later sweep of the node
                LOG.warn("announcing the end of an expired session failed", e);
            }
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
