package io.memsession.store.tiered;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

import io.memsession.store.BurstLog;
import io.memsession.store.DurableSessionStore;
import io.memsession.store.DurableSessionStore.DurableSession;
import io.memsession.store.DurableSessionStore.RowFate;
import io.memsession.store.SaveOutcome;
import io.memsession.store.SessionStore;
import io.memsession.store.SessionStoreException;
import io.memsession.store.StoredSession;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * memcached in front of a database: the database is the source of truth, memcached a cache of it, so
 * that losing memcached costs speed, never a session.
 *
 * <ul>
 * <li><b>Read:</b> memcached first; on a miss the database, and a hit there is put back into memcached.
 *     A deleted session leaves a tombstone in memcached, so neither tier serves it again.</li>
 * <li><b>Write:</b> the database first, with compare-and-set on its version; then memcached, with the
 *     database version inside the cached copy and a write that only ever replaces an older copy
 *     ({@code gets}, compare versions, {@code cas}; {@code add} when absent). When that memcached write
 *     fails or times out, the session is remembered for repair: this node stops trusting its cached copy
 *     and rewrites it from the database as soon as memcached answers again; and the cache epoch in the
 *     database is advanced, so that every node checks copies cached before it against the database
 *     once. See docs/durable-tier.md for the ordering argument.</li>
 * <li><b>Access times:</b> recorded in memcached on every use as before; written to the database only
 *     when the one it holds is older than {@code accessWriteFraction} of the session's interval, so an
 *     unchanged session costs the database nothing most of the time.</li>
 * <li><b>Database down:</b> reads are served from memcached; a change cannot be stored (the save fails,
 *     is logged and counted, as in a memcached outage), and database calls are refused at once for a
 *     short, growing back-off instead of each request waiting for a timeout.</li>
 * </ul>
 */
public final class TieredSessionStore implements SessionStore {

    private static final Logger LOG = LoggerFactory.getLogger(TieredSessionStore.class);
    /** Sessions remembered for repair at most; beyond that, counted and logged. */
    static final int REPAIR_CAPACITY = 100_000;
    private static final int REPAIRS_PER_RUN = 500;
    private static final long MAINTENANCE_PERIOD_MILLIS = 100;
    private static final long EPOCH_PERIOD_MILLIS = 1_000;
    private static final long DATABASE_RETRY_MILLIS = 5_000;
    /** How long a tombstone stays: far longer than any read-then-cache of a request in flight. */
    static final int TOMBSTONE_SECONDS = 300;
    private static final int CACHE_WRITE_ATTEMPTS = 4;
    private static final int OVERWRITE_ATTEMPTS = 8;
    /** How often a burst of memcached failures is summed up in the log. */
    static final long CACHE_FAILURE_LOG_WINDOW_MILLIS = 10_000;

    private final SessionStore memcached;
    private final DurableSessionStore durable;
    private final double accessWriteFraction;
    private final Clock clock;
    private final AutoCloseable resources;
    private final CacheRepairs repairs = new CacheRepairs(REPAIR_CAPACITY);
    private final DatabaseBreaker breaker;
    /** While memcached is away every request fails it: logged once per burst and window, not per call. */
    private final BurstLog cacheFailures;
    private final TierStatistics statistics = new TierStatistics(repairs::size, repairs::overflows,
            () -> this.epoch);
    private ScheduledExecutorService maintenance;
    private volatile boolean databaseReady;
    /** The cache epoch as this node last learnt it; copies cached under an older one are checked once. */
    private volatile long epoch;

    /**
     * @param memcached the cache
     * @param durable the source of truth
     * @param accessWriteFraction how stale (as a fraction of the session's interval) the access time in
     *     the database may get before a use of an unchanged session writes it
     * @param resources closed with this store (the connection pool memsession created), or null
     */
    public TieredSessionStore(SessionStore memcached, DurableSessionStore durable, double accessWriteFraction,
            Clock clock, AutoCloseable resources) {
        this(memcached, durable, accessWriteFraction, clock, resources, LOG::warn);
    }

    /** @param cacheFailureLog where the burst summaries of memcached failures go */
    TieredSessionStore(SessionStore memcached, DurableSessionStore durable, double accessWriteFraction,
            Clock clock, AutoCloseable resources, BiConsumer<String, Object[]> cacheFailureLog) {
        this.memcached = memcached;
        this.durable = durable;
        this.accessWriteFraction = accessWriteFraction;
        this.clock = clock;
        this.resources = resources;
        this.breaker = new DatabaseBreaker(clock);
        this.cacheFailures = new BurstLog(clock, CACHE_FAILURE_LOG_WINDOW_MILLIS, cacheFailureLog);
    }

    /**
     * Prepares the database ({@code prepareDatabase}: create or check the table) and starts the background
     * repairs. A database that does not answer does not stop the start: it is logged as an error and
     * prepared again every few seconds until it answers; meanwhile sessions live in memcached only.
     */
    public void start(Runnable prepareDatabase) {
        maintenance = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "memsession-tier");
            thread.setDaemon(true);
            return thread;
        });
        if (!tryPrepare(prepareDatabase)) {
            maintenance.schedule(() -> prepareUntilReady(prepareDatabase), DATABASE_RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
        maintenance.scheduleWithFixedDelay(this::repairSome, MAINTENANCE_PERIOD_MILLIS, MAINTENANCE_PERIOD_MILLIS,
                TimeUnit.MILLISECONDS);
        maintenance.scheduleWithFixedDelay(this::refreshEpoch, 0, EPOCH_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Maintenance: learns the cache epoch other nodes may have advanced (one small statement a second). */
    private void refreshEpoch() {
        try {
            long current = durable.cacheEpoch();
            if (current > epoch) {
                epoch = current;
            }
        } catch (SessionStoreException e) {
            // the database is away: requests see that themselves; the next refresh tries again
            LOG.debug("reading the cache epoch failed: {}", e.getMessage());
        }
    }

    /**
     * After a memcached write of a copy made under {@code copyEpoch} failed: unless the epoch moved on
     * since, advances it, so that every node checks the copies cached before against the database once,
     * whatever a memcached that hung does with the write later.
     */
    private void distrustCopiesOf(long copyEpoch) {
        if (copyEpoch < epoch) {
            return;
        }
        try {
            long advanced = database(durable::advanceCacheEpoch);
            if (advanced > epoch) {
                epoch = advanced;
            }
        } catch (SessionStoreException e) {
            LOG.warn("advancing the cache epoch failed; other nodes may serve an older cached copy until this"
                    + " node's repair: {}", e.getMessage());
        }
    }

    private CachedCopy copy(long version, long durableAccessTime, byte[] document) {
        return new CachedCopy(version, epoch, durableAccessTime, document);
    }

    private void prepareUntilReady(Runnable prepareDatabase) {
        if (!tryPrepare(prepareDatabase)) {
            maintenance.schedule(() -> prepareUntilReady(prepareDatabase), DATABASE_RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private boolean tryPrepare(Runnable prepareDatabase) {
        try {
            statistics.databaseStatements.increment();
            prepareDatabase.run();
            databaseReady = true;
            breaker.succeeded();
            refreshEpoch();
            LOG.info("memsession's session database answers; the durable tier is on");
            return true;
        } catch (SessionStoreException e) {
            statistics.databaseFailures.increment();
            LOG.error("memsession CANNOT REACH ITS SESSION DATABASE: {}. Sessions are served from memcached only"
                    + " and changes to them are not saved until the database answers; retrying every {} s",
                    e.getMessage(), DATABASE_RETRY_MILLIS / 1000);
            return false;
        }
    }

    /** The tier's counters. */
    public TierStatistics statistics() {
        return statistics;
    }

    @Override
    public Optional<StoredSession> load(String id) {
        // a session whose last write to memcached failed on this node: only the database is trusted
        // for it until the maintenance has rewritten its cached copy
        Cached cached = repairs.contains(id) ? Cached.NOTHING : loadCached(id);
        if (cached.trusted()) {
            return cached.session();
        }
        statistics.cacheMisses.increment();
        Optional<DurableSession> row;
        try {
            row = database(() -> durable.read(id));
        } catch (SessionStoreException e) {
            if (cached.session().isPresent()) {
                // a copy cached before the last epoch, and no database to check it against: served
                // rather than refused (see docs/durable-tier.md)
                return cached.session();
            }
            throw e;
        }
        if (row.isEmpty()) {
            return Optional.empty();
        }
        DurableSession found = row.get();
        if (!repairs.contains(id)) {
            cacheBestEffort(id, copy(found.version(), found.lastAccessTime(), found.document()),
                    new Access(found.lastAccessTime(), found.maxInactiveSeconds()));
        }
        return Optional.of(new StoredSession(found.document(), found.version(), StoredSession.UNKNOWN_ACCESS_TIME,
                StoredSession.UNKNOWN_ACCESS_TIME, found.lastAccessTime()));
    }

    /**
     * What memcached gave for a session.
     *
     * @param session the session (empty for a tombstone or when memcached had nothing usable)
     * @param trusted whether it may be served without asking the database
     */
    private record Cached(Optional<StoredSession> session, boolean trusted) {
        static final Cached NOTHING = new Cached(Optional.empty(), false);
    }

    /**
     * What memcached holds for {@code id}: a trusted live copy or tombstone; an untrusted copy made
     * before the current cache epoch; or nothing usable (absent, foreign, memcached does not answer).
     */
    private Cached loadCached(String id) {
        Optional<StoredSession> cached;
        try {
            cached = memcached.load(id);
        } catch (SessionStoreException e) {
            cacheFailed("load", e);
            return Cached.NOTHING;
        }
        if (cached.isEmpty()) {
            return Cached.NOTHING;
        }
        CachedCopy copy = CachedCopy.decode(cached.get().document());
        if (copy == null) {
            return Cached.NOTHING;
        }
        if (copy.isTombstone()) {
            statistics.cacheHits.increment();
            return new Cached(Optional.empty(), true);
        }
        Optional<StoredSession> session = Optional.of(new StoredSession(copy.document(), copy.version(),
                cached.get().lastAccessTime(), cached.get().lifeRenewedAt(), copy.durableAccessTime()));
        if (copy.epoch() < epoch) {
            // cached before some node's memcached write failed: checked against the database once
            return new Cached(session, false);
        }
        statistics.cacheHits.increment();
        return new Cached(session, true);
    }

    /** {@inheritDoc} In the database first (version 1), then in memcached. */
    @Override
    public boolean create(String id, byte[] document, Access access) {
        if (!database(() -> durable.create(id, document, access))) {
            return false;
        }
        cacheAfterWrite(id, copy(1, access.time(), document), access);
        return true;
    }

    @Override
    public SaveOutcome replace(String id, byte[] document, long expectedVersion, StoredSession previous,
            Access access) {
        SaveOutcome outcome = database(() -> durable.replace(id, document, expectedVersion, null, access));
        switch (outcome) {
            case SAVED -> cacheAfterWrite(id, copy(expectedVersion + 1, access.time(), document), access);
            // the cached copy the caller started from is older than the database's: refresh it, so
            // that the caller's re-load merges onto the current version instead of conflicting again
            case CONFLICT -> refreshFromDatabase(id);
            case GONE -> tombstoneBestEffort(id);
        }
        return outcome;
    }

    /**
     * {@inheritDoc} A compare-and-set in the database all the same (retried on the current version), so
     * that the version keeps counting writes and the cached copy stays comparable.
     */
    @Override
    public boolean overwrite(String id, byte[] document, StoredSession previous, Access access) {
        long version;
        if (previous != null) {
            version = previous.version();
        } else {
            Optional<DurableSession> row = database(() -> durable.read(id));
            if (row.isEmpty()) {
                return false;
            }
            version = row.get().version();
        }
        for (int attempt = 0; attempt < OVERWRITE_ATTEMPTS; attempt++) {
            long expected = version;
            SaveOutcome outcome = database(() -> durable.replace(id, document, expected, null, access));
            if (outcome == SaveOutcome.SAVED) {
                cacheAfterWrite(id, copy(expected + 1, access.time(), document), access);
                return true;
            }
            Optional<DurableSession> row = outcome == SaveOutcome.GONE ? Optional.empty()
                    : database(() -> durable.read(id));
            if (row.isEmpty()) {
                tombstoneBestEffort(id);
                return false;
            }
            version = row.get().version();
        }
        throw new SessionStoreException("overwrite lost to concurrent writers " + OVERWRITE_ATTEMPTS + " times", null);
    }

    /**
     * {@inheritDoc} memcached records every access; the database only when the access time it holds is
     * older than {@code accessWriteFraction} of the interval, or when memcached did not take this one.
     */
    @Override
    public void touch(String id, StoredSession previous, Access access) {
        boolean cached = true;
        try {
            memcached.touch(id, previous, access);
        } catch (SessionStoreException e) {
            cacheFailed("touch", e);
            cached = false;
        }
        if (cached && !durableAccessDue(previous, access)) {
            return;
        }
        try {
            database(() -> {
                durable.touch(id, previous, access);
                return null;
            });
        } catch (SessionStoreException e) {
            if (!cached) {
                throw e;
            }
            // memcached holds this access; the database gets a later one
            return;
        }
        if (cached) {
            cacheBestEffort(id, copy(previous.version(), access.time(), previous.document()), access);
        }
    }

    private boolean durableAccessDue(StoredSession previous, Access access) {
        long durableAccess = previous.durableAccessTime();
        if (durableAccess == StoredSession.UNKNOWN_ACCESS_TIME) {
            return true;
        }
        if (access.maxInactiveSeconds() <= 0) {
            return false;
        }
        return access.time() - durableAccess >= (long) (accessWriteFraction * access.maxInactiveSeconds() * 1000L);
    }

    /** {@inheritDoc} memcached's access record when it has one; the database's otherwise. */
    @Override
    public boolean keepAlive(String id, long accessTime) {
        if (!repairs.contains(id)) {
            try {
                if (memcached.keepAlive(id, accessTime)) {
                    return true;
                }
            } catch (SessionStoreException e) {
                cacheFailed("keep-alive", e);
            }
        }
        return database(() -> durable.keepAlive(id, accessTime));
    }

    /** {@inheritDoc} Claimed in the database, which outlives a memcached restart. */
    @Override
    public boolean claimEnd(String id) {
        return database(() -> durable.claimEnd(id));
    }

    /** {@inheritDoc} From the database first; memcached then holds a tombstone, so no stale copy comes back. */
    @Override
    public void delete(String id) {
        database(() -> {
            durable.delete(id);
            return null;
        });
        tombstoneBestEffort(id);
    }

    /**
     * One sweep of expired rows in the database, if no other node is sweeping (see
     * {@link DurableSessionStore#sweepExpired}).
     *
     * @return false when another node holds the sweep
     */
    public boolean sweepExpired(long now, int maxRows, Function<byte[], RowFate> ender) {
        return database(() -> durable.sweepExpired(now, maxRows, ender));
    }

    @Override
    public void close() {
        if (maintenance != null) {
            maintenance.shutdownNow();
        }
        try {
            memcached.close();
        } finally {
            closeResources();
        }
    }

    private void closeResources() {
        if (resources == null) {
            return;
        }
        try {
            resources.close();
        } catch (Exception e) {
            LOG.warn("closing the session database's connection pool failed: {}", e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------- memcached side

    /** After a database write: puts the copy in memcached, or remembers the session for repair. */
    private void cacheAfterWrite(String id, CachedCopy copy, Access access) {
        try {
            cacheIfNewer(id, copy, access);
        } catch (SessionStoreException e) {
            cacheFailed("write", e);
            remember(id);
            distrustCopiesOf(copy.epoch());
        }
    }

    private void cacheBestEffort(String id, CachedCopy copy, Access access) {
        try {
            cacheIfNewer(id, copy, access);
        } catch (SessionStoreException e) {
            // a write that may still be carried out later: only if nothing newer is there by then
            cacheFailed("write", e);
            remember(id);
            distrustCopiesOf(copy.epoch());
        }
    }

    /**
     * Writes {@code copy} unless memcached already holds a copy at least as new: {@code add} when it
     * holds none, else {@code cas} on what {@code gets} returned. Each failed attempt means another
     * writer changed the item; the loop ends when memcached holds this copy or a newer one.
     */
    private void cacheIfNewer(String id, CachedCopy copy, Access access) {
        byte[] encoded = copy.encode();
        for (int attempt = 0; attempt < CACHE_WRITE_ATTEMPTS; attempt++) {
            Optional<StoredSession> current = memcached.load(id);
            if (current.isEmpty()) {
                if (memcached.create(id, encoded, access)) {
                    return;
                }
                continue;
            }
            if (!copy.isNewerThan(CachedCopy.decode(current.get().document()))) {
                return;
            }
            if (memcached.replace(id, encoded, current.get().version(), current.get(), access) == SaveOutcome.SAVED) {
                return;
            }
        }
        // every attempt lost to another writer: whatever is there now may be older than this copy
        throw new SessionStoreException("memcached copy kept changing during " + CACHE_WRITE_ATTEMPTS + " attempts",
                null);
    }

    private void tombstoneBestEffort(String id) {
        try {
            tombstone(id);
        } catch (SessionStoreException e) {
            cacheFailed("delete", e);
            remember(id);
            distrustCopiesOf(epoch);
        }
    }

    /** Replaces whatever memcached holds for {@code id} with a tombstone (and drops its access record). */
    private void tombstone(String id) {
        byte[] tombstone = CachedCopy.tombstone().encode();
        Access life = new Access(clock.millis(), TOMBSTONE_SECONDS);
        for (int attempt = 0; attempt < CACHE_WRITE_ATTEMPTS; attempt++) {
            memcached.delete(id);
            if (memcached.create(id, tombstone, life)) {
                return;
            }
        }
        throw new SessionStoreException("memcached copy kept coming back while it was being deleted", null);
    }

    private void refreshFromDatabase(String id) {
        try {
            Optional<DurableSession> row = database(() -> durable.read(id));
            if (row.isEmpty()) {
                tombstoneBestEffort(id);
            } else {
                DurableSession found = row.get();
                cacheBestEffort(id, copy(found.version(), found.lastAccessTime(), found.document()),
                        new Access(found.lastAccessTime(), found.maxInactiveSeconds()));
            }
        } catch (SessionStoreException e) {
            // the caller's re-load sees the database's failure itself
            LOG.debug("refreshing a cached session after a conflict failed: {}", e.getMessage());
        }
    }

    private void remember(String id) {
        if (!repairs.add(id)) {
            LOG.error("more than {} sessions await repair of their memcached copy; this one may be served stale"
                    + " from memcached until it expires", REPAIR_CAPACITY);
        }
    }

    /** Rewrites the cached copy of {@code id} from the database; true when done. */
    private boolean repair(String id) {
        try {
            Optional<DurableSession> row = database(() -> durable.read(id));
            if (row.isEmpty()) {
                tombstone(id);
            } else {
                DurableSession found = row.get();
                cacheIfNewer(id, copy(found.version(), found.lastAccessTime(), found.document()),
                        new Access(found.lastAccessTime(), found.maxInactiveSeconds()));
            }
            repairs.done(id);
            statistics.repairs.increment();
            return true;
        } catch (SessionStoreException e) {
            return false;
        }
    }

    /** Maintenance: repairs pending sessions; stops at the first failure (memcached still away). */
    private void repairSome() {
        if (repairs.isEmpty()) {
            return;
        }
        List<String> batch = repairs.some(REPAIRS_PER_RUN);
        for (String id : batch) {
            if (!repair(id)) {
                return;
            }
        }
        if (repairs.isEmpty()) {
            LOG.info("memcached answers again: the cached copies of {} sessions were rewritten from the database",
                    batch.size());
        }
    }

    private void cacheFailed(String operation, SessionStoreException e) {
        statistics.cacheFailures.increment();
        cacheFailures.failed("memcached " + operation + " of the durable tier", e.getMessage());
    }

    // -------------------------------------------------------------------------------- database side

    private <T> T database(Supplier<T> call) {
        if (!breaker.allowsCall()) {
            statistics.databaseRefusals.increment();
            throw new SessionStoreException("the session database failed a moment ago; not asked again for another "
                    + breaker.refusingForMillis() + " ms", null);
        }
        statistics.databaseStatements.increment();
        try {
            T result = call.get();
            if (breaker.succeeded()) {
                LOG.warn("memsession's session database answers again");
            }
            return result;
        } catch (SessionStoreException e) {
            statistics.databaseFailures.increment();
            if (breaker.failed()) {
                LOG.error("memsession's session database fails: {}. Sessions are served from memcached; changes"
                        + " are not saved until it answers (see docs/durable-tier.md)", e.getMessage());
            }
            throw e;
        }
    }

    /** Whether the database was prepared at least once (for tests and monitoring). */
    boolean isDatabaseReady() {
        return databaseReady;
    }
}
