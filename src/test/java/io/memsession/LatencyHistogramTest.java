package io.memsession;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    private static final long MICROS = 1_000;

    @Test
    void everyLatencyFallsInABucketWhoseBoundIsAtMostAQuarterAboveIt() {
        for (long micros = 0; micros < 5_000_000; micros = micros < 100 ? micros + 1 : micros * 11 / 10) {
            int bucket = LatencyHistogram.bucketOf(micros);
            long bound = LatencyHistogram.upperBoundOf(bucket);
            assertTrue(bound >= micros && bound <= micros + micros / 4, micros + " µs -> bucket " + bucket
                    + " bound " + bound);
            assertTrue(bucket == 0 || LatencyHistogram.upperBoundOf(bucket - 1) < micros,
                    micros + " µs belongs to an earlier bucket");
        }
        assertEquals(LatencyHistogram.BUCKETS - 1, LatencyHistogram.bucketOf(Long.MAX_VALUE / 1000));
    }

    @Test
    void percentiles_comeFromTheBuckets_andTheMaxIsTheLongest() {
        LatencyHistogram histogram = new LatencyHistogram(0);
        for (int i = 0; i < 98; i++) {
            histogram.record(100 * MICROS);
        }
        histogram.record(2_000 * MICROS);
        histogram.record(30_000 * MICROS);
        LatencyHistogram.Window window = histogram.window(1);
        assertEquals(100, window.count());
        assertEquals(LatencyHistogram.upperBoundOf(LatencyHistogram.bucketOf(100)), window.percentileMicros(0.5));
        assertEquals(LatencyHistogram.upperBoundOf(LatencyHistogram.bucketOf(2_000)), window.percentileMicros(0.99));
        assertEquals(30_000, window.maxMicros(), "the max bucket's bound is capped by the exact maximum");
        assertEquals(0, new LatencyHistogram(0).window(1).percentileMicros(0.99), "empty: 0");
    }

    @Test
    void aReadAWindowLater_forgetsWhatCameBeforeTheLastWindow() {
        long w = LatencyHistogram.WINDOW_NANOS;
        LatencyHistogram histogram = new LatencyHistogram(0);
        histogram.record(50_000 * MICROS);
        assertEquals(1, histogram.window(w).count(), "first window: since start");
        histogram.record(10 * MICROS);
        assertEquals(2, histogram.window(w + 1).count(), "the snapshot at w is the newer one; the window is since start");
        histogram.record(10 * MICROS);
        LatencyHistogram.Window later = histogram.window(2 * w);
        assertEquals(2, later.count(), "only what came after the snapshot taken at w");
        assertEquals(LatencyHistogram.upperBoundOf(LatencyHistogram.bucketOf(10)), later.maxMicros(),
                "the slow load before the window no longer counts");
    }
}
