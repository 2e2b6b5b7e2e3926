package io.memsession.store;

import java.time.Clock;
import java.util.function.BiConsumer;

/**
 * Logs a burst of like failures as two lines instead of one per request: the first failure at once,
 * then, once per {@code window}, how many more there were and the last one's message. A memcached
 * outage on a busy node would otherwise write a line per request and bury everything else.
 *
 * <p>Public only so that the session layer and the stores, in different packages, share it; not an API
 * for applications.
 */
public final class BurstLog {

    private final Clock clock;
    private final long windowMillis;
    private final BiConsumer<String, Object[]> sink;
    private long windowStart = Long.MIN_VALUE;
    private long suppressed;
    private String lastMessage;

    /**
     * @param sink receives a format string in SLF4J's {@code {}} style and its arguments
     */
    public BurstLog(Clock clock, long windowMillis, BiConsumer<String, Object[]> sink) {
        this.clock = clock;
        this.windowMillis = windowMillis;
        this.sink = sink;
    }

    /** Records one failure; writes a line only when it opens a burst or a window has passed. */
    public void failed(String what, String message) {
        String summary = null;
        Object[] args;
        synchronized (this) {
            long now = clock.millis();
            if (windowStart != Long.MIN_VALUE && now - windowStart < windowMillis) {
                suppressed++;
                lastMessage = what + ": " + message;
                return;
            }
            if (suppressed > 0) {
                summary = lastMessage;
                args = new Object[] {suppressed, (now - windowStart) / 1000, summary};
            } else {
                args = null;
            }
            windowStart = now;
            suppressed = 0;
            lastMessage = null;
        }
        if (summary != null) {
            sink.accept("{} more session store failures in the last {} s; the last: {}", args);
        }
        sink.accept("session {} failed, the request goes on without it: {}", new Object[] {what, message});
    }
}
