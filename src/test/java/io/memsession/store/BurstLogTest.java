package io.memsession.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class BurstLogTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }
    };
    private final List<String> lines = new ArrayList<>();
    private final BurstLog log = new BurstLog(clock, 10_000, (format, args) -> {
        String line = format;
        for (Object arg : args) {
            line = line.replaceFirst("\\{}", java.util.regex.Matcher.quoteReplacement(String.valueOf(arg)));
        }
        lines.add(line);
    });

    @Test
    void aBurstOfFailures_isTheFirstLine_thenOneSummaryPerWindow() {
        for (int i = 0; i < 500; i++) {
            log.failed("load", "memcached gets timed out after 250 ms #" + i);
            now.addAndGet(10); // 500 requests over 5 s
        }
        assertEquals(List.of("session load failed, the request goes on without it: memcached gets timed out after"
                + " 250 ms #0"), lines, "one line for the first 5 s of the burst");

        now.addAndGet(6_000);
        log.failed("save", "memcached cas timed out after 250 ms");
        assertEquals(3, lines.size(), lines::toString);
        assertEquals("499 more session store failures in the last 11 s; the last: load: memcached gets timed out"
                + " after 250 ms #499", lines.get(1));
        assertTrue(lines.get(2).startsWith("session save failed"), lines::toString);
    }

    @Test
    void failuresFarApart_areEachLogged_withNoSummary() {
        log.failed("load", "a");
        now.addAndGet(20_000);
        log.failed("load", "b");
        assertEquals(List.of("session load failed, the request goes on without it: a",
                "session load failed, the request goes on without it: b"), lines);
    }
}
