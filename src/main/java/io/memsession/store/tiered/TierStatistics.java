package io.memsession.store.tiered;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * Counters of the durable tier on this node since start, for monitoring: published by the filter as
 * the servlet context attribute {@value #CONTEXT_ATTRIBUTE} when the tier is on.
 */
public final class TierStatistics {

    /** The servlet context attribute under which the filter publishes the tier's counters. */
    public static final String CONTEXT_ATTRIBUTE = "io.memsession.store.tiered.TierStatistics";

    final LongAdder cacheHits = new LongAdder();
    final LongAdder cacheMisses = new LongAdder();
    final LongAdder databaseStatements = new LongAdder();
    final LongAdder databaseFailures = new LongAdder();
    final LongAdder databaseRefusals = new LongAdder();
    final LongAdder cacheFailures = new LongAdder();
    final LongAdder repairs = new LongAdder();
    private final IntSupplier pendingRepairs;
    private final java.util.function.LongSupplier repairOverflows;
    private final java.util.function.LongSupplier cacheEpoch;

    TierStatistics(IntSupplier pendingRepairs, java.util.function.LongSupplier repairOverflows,
            java.util.function.LongSupplier cacheEpoch) {
        this.pendingRepairs = pendingRepairs;
        this.repairOverflows = repairOverflows;
        this.cacheEpoch = cacheEpoch;
    }

    /**
     * The cache epoch as this node knows it: copies cached under an older one are checked against the
     * database before they are served (see docs/durable-tier.md).
     */
    public long cacheEpoch() {
        return cacheEpoch.getAsLong();
    }

    /** Loads answered by memcached. */
    public long cacheHits() {
        return cacheHits.sum();
    }

    /** Loads memcached could not answer (absent, or not trusted), asked of the database instead. */
    public long cacheMisses() {
        return cacheMisses.sum();
    }

    /** Statements sent to the database (reads, writes, access records, claims, sweeps). */
    public long databaseStatements() {
        return databaseStatements.sum();
    }

    /** Database calls that failed or timed out. */
    public long databaseFailures() {
        return databaseFailures.sum();
    }

    /** Database calls refused without trying, during the back-off after a failure. */
    public long databaseRefusals() {
        return databaseRefusals.sum();
    }

    /** memcached calls of the tier that failed or timed out. */
    public long cacheFailures() {
        return cacheFailures.sum();
    }

    /** Cached copies rewritten from the database after a failed memcached write. */
    public long repairs() {
        return repairs.sum();
    }

    /** Sessions whose cached copy awaits repair now. */
    public int pendingRepairs() {
        return pendingRepairs.getAsInt();
    }

    /** Sessions that could not be remembered for repair because too many were pending. */
    public long repairOverflows() {
        return repairOverflows.getAsLong();
    }
}
