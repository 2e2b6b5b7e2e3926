package io.memsession;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.memsession.store.DurableSessionStore.RowFate;
import io.memsession.store.SessionStoreException;
import io.memsession.store.tiered.TieredSessionStore;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the database rows of expired sessions, one node of the cluster at a time (the database's
 * lock decides which), announcing each end once with its attributes readable, like the
 * {@link ExpirySweeper} does for the sessions a node watches. It also finds the sessions no running
 * node watches (their node stopped), so their end is announced after all.
 */
final class DurableSweeper implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DurableSweeper.class);
    /** Rows one sweep handles at most, so that one run stays short. */
    static final int ROWS_PER_SWEEP = 200;

    private final TieredSessionStore tier;
    private final SessionRepository repository;
    private final SessionCodec codec;
    private final Clock clock;
    private final ScheduledExecutorService executor;

    DurableSweeper(TieredSessionStore tier, SessionRepository repository, SessionCodec codec, Clock clock,
            Duration period, ClassLoader webappClassLoader, String contextName) {
        this.tier = tier;
        this.repository = repository;
        this.codec = codec;
        this.clock = clock;
        this.executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "memsession-db-sweep" + contextName);
            thread.setDaemon(true);
            thread.setContextClassLoader(webappClassLoader);
            return thread;
        });
        long millis = period.toMillis();
        executor.scheduleWithFixedDelay(this::sweep, millis, millis, TimeUnit.MILLISECONDS);
    }

    void sweep() {
        try {
            tier.sweepExpired(clock.millis(), ROWS_PER_SWEEP, this::endRow);
        } catch (SessionStoreException e) {
            LOG.warn("the sweep of expired sessions in the database failed; the next one tries again: {}",
                    e.getMessage());
        }
    }

    private RowFate endRow(byte[] document) {
        String id;
        try {
            id = codec.decode(document).id();
        } catch (UnreadableSessionException e) {
            LOG.warn("an expired session in the database cannot be read and is deleted unannounced: {}",
                    e.getMessage());
            return RowFate.UNREADABLE;
        }
        try {
            return repository.endIfExpired(id) ? RowFate.LIVE : RowFate.ENDED;
        } catch (SessionStoreException e) {
            return RowFate.LIVE;
        } catch (VirtualMachineError e) {
            throw e;
        } catch (RuntimeException e) {
            // whatever a listener throws must not stop this and every later sweep
            LOG.warn("announcing the end of an expired session failed", e);
            return RowFate.ENDED;
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
