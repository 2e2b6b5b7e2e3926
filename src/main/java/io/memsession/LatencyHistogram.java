package io.memsession;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Store latencies in fixed buckets, for percentiles an operator can read: recording is one
 * {@link LongAdder} increment and one max update, lock-free and without allocation, so it costs a request
 * nothing worth measuring; the work of a percentile is done by whoever reads it.
 *
 * <p>Buckets are in microseconds, four per power of two (so a percentile is at most 25% above the true
 * value), from 1 µs to about 19 hours. Percentiles cover a recent window: the latencies recorded since a
 * snapshot at least {@link #WINDOW_NANOS} old (at most twice that), or since start before the first
 * window has passed; readers take the snapshots, so a JVM nobody monitors keeps none.
 */
final class LatencyHistogram {

    /** The shortest span of time a percentile covers once the histogram has run that long. */
    static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final int SUB_BUCKETS = 4;
    private static final int MAX_EXPONENT = 36;
    static final int BUCKETS = SUB_BUCKETS * (MAX_EXPONENT - 1) + SUB_BUCKETS;

    private final LongAdder[] counts = new LongAdder[BUCKETS];
    private final LongAccumulator maxMicros = new LongAccumulator(Math::max, 0);
    private final long startedAt;
    /** Snapshots of {@link #counts} taken by readers: the window runs from {@code older} to now. */
    private long[] older;
    private long olderAt;
    private long[] newer;
    private long newerAt;

    LatencyHistogram(long nowNanos) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] = new LongAdder();
        }
        startedAt = nowNanos;
        olderAt = nowNanos;
        newerAt = nowNanos;
    }

    void record(long nanos) {
        long micros = Math.max(0, nanos / 1000);
        counts[bucketOf(micros)].increment();
        maxMicros.accumulate(micros);
    }

    /** The longest latency recorded since start, in microseconds. */
    long maxSinceStartMicros() {
        return maxMicros.get();
    }

    /** What the recent window holds, as of {@code nowNanos}. */
    synchronized Window window(long nowNanos) {
        long[] current = new long[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            current[i] = counts[i].sum();
        }
        if (nowNanos - newerAt >= WINDOW_NANOS) {
            older = newer;
            olderAt = newerAt;
            newer = current;
            newerAt = nowNanos;
        }
        long[] inWindow = current.clone();
        if (older != null) {
            for (int i = 0; i < BUCKETS; i++) {
                inWindow[i] -= older[i];
            }
        }
        return new Window(inWindow, maxMicros.get(), older == null ? startedAt : olderAt);
    }

    static int bucketOf(long micros) {
        if (micros < SUB_BUCKETS) {
            return (int) micros;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(micros);
        if (exponent >= MAX_EXPONENT) {
            return BUCKETS - 1;
        }
        int sub = (int) (micros >>> (exponent - 2)) & (SUB_BUCKETS - 1);
        return SUB_BUCKETS * (exponent - 1) + sub;
    }

    /** The largest latency, in microseconds, that falls in {@code bucket}. */
    static long upperBoundOf(int bucket) {
        if (bucket < SUB_BUCKETS) {
            return bucket;
        }
        int exponent = bucket / SUB_BUCKETS + 1;
        long lower = (long) (SUB_BUCKETS + bucket % SUB_BUCKETS) << (exponent - 2);
        return lower + (1L << (exponent - 2)) - 1;
    }

    /** The latencies of one window, counted per bucket. */
    static final class Window {
        private final long[] counts;
        private final long maxSinceStartMicros;
        private final long sinceNanos;

        private Window(long[] counts, long maxSinceStartMicros, long sinceNanos) {
            this.counts = counts;
            this.maxSinceStartMicros = maxSinceStartMicros;
            this.sinceNanos = sinceNanos;
        }

        /** When the window starts, on the {@link System#nanoTime()} scale. */
        long sinceNanos() {
            return sinceNanos;
        }

        long count() {
            long total = 0;
            for (long c : counts) {
                total += c;
            }
            return total;
        }

        /**
         * The latency, in microseconds, that {@code quantile} (0 to 1) of the window's calls did not exceed,
         * as the upper bound of its bucket; 0 for an empty window.
         */
        long percentileMicros(double quantile) {
            long total = count();
            if (total == 0) {
                return 0;
            }
            long rank = Math.max(1, (long) Math.ceil(quantile * total));
            long seen = 0;
            for (int i = 0; i < counts.length; i++) {
                seen += counts[i];
                if (seen >= rank) {
                    // the bound of a bucket may exceed the largest latency ever recorded
                    return Math.min(upperBoundOf(i), maxSinceStartMicros);
                }
            }
            return maxSinceStartMicros;
        }

        /** The window's longest latency, in microseconds (its bucket's upper bound); 0 when empty. */
        long maxMicros() {
            return percentileMicros(1.0);
        }
    }
}
