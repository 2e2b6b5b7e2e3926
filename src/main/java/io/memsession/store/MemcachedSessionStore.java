package io.memsession.store;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

import net.rubyeye.xmemcached.GetsResponse;
import net.rubyeye.xmemcached.MemcachedClient;
import net.rubyeye.xmemcached.XMemcachedClientBuilder;
import net.rubyeye.xmemcached.exception.MemcachedException;
import net.rubyeye.xmemcached.impl.KetamaMemcachedSessionLocator;

/**
 * Session documents in memcached, one item per session under {@code keyPrefix + id}.
 *
 * <p>Operations map one to one onto memcached commands: {@code gets}, {@code add}, {@code cas},
 * {@code touch}, {@code delete}. Every call is bounded by the operation timeout; a server that does
 * not answer in time surfaces as {@link SessionStoreException}, never as a blocked thread.
 *
 * <p>Expiry: memcached reads an expiration above 30 days as an absolute Unix time, so longer
 * intervals are converted here; an interval of zero or less is stored without expiry.
 */
public final class MemcachedSessionStore implements SessionStore {

    /** Largest relative expiration memcached accepts; above it the value is taken as a Unix time. */
    static final int MAX_RELATIVE_EXPIRY_SECONDS = 30 * 24 * 60 * 60;

    private final MemcachedClient client;
    private final String keyPrefix;
    private final long opTimeoutMillis;
    private final Clock clock;
    private final RawBytesTranscoder transcoder = new RawBytesTranscoder();

    /**
     * Connects to the given servers; sessions are spread over several servers by consistent hashing.
     *
     * @throws SessionStoreException when the client cannot be built
     */
    public MemcachedSessionStore(List<InetSocketAddress> servers, String keyPrefix,
            Duration opTimeout, Duration connectTimeout) {
        this.keyPrefix = keyPrefix;
        this.opTimeoutMillis = opTimeout.toMillis();
        this.clock = Clock.systemUTC();
        XMemcachedClientBuilder builder = new XMemcachedClientBuilder(servers);
        builder.setOpTimeout(opTimeoutMillis);
        builder.setConnectTimeout(connectTimeout.toMillis());
        builder.setSessionLocator(new KetamaMemcachedSessionLocator());
        builder.setTranscoder(transcoder);
        builder.setName("memsession");
        try {
            this.client = builder.build();
        } catch (IOException e) {
            throw new SessionStoreException("cannot create the memcached client for " + servers, e);
        }
    }

    @Override
    public Optional<StoredSession> load(String id) {
        GetsResponse<byte[]> response = call("gets",
                () -> client.gets(key(id), opTimeoutMillis, transcoder));
        if (response == null || response.getValue() == null) {
            return Optional.empty();
        }
        return Optional.of(new StoredSession(response.getValue(), response.getCas()));
    }

    @Override
    public boolean create(String id, byte[] document, int maxInactiveSeconds) {
        return call("add", () -> client.add(key(id), expiry(maxInactiveSeconds), document,
                transcoder, opTimeoutMillis));
    }

    /**
     * {@inheritDoc}
     *
     * <p>memcached answers a failed {@code cas} the same way whether the item changed or vanished,
     * so this reports {@link SaveOutcome#CONFLICT} for both; the caller's re-load tells them apart.
     */
    @Override
    public SaveOutcome replace(String id, byte[] document, long expectedVersion, int maxInactiveSeconds) {
        boolean stored = call("cas", () -> client.cas(key(id), expiry(maxInactiveSeconds), document,
                transcoder, opTimeoutMillis, expectedVersion));
        return stored ? SaveOutcome.SAVED : SaveOutcome.CONFLICT;
    }

    @Override
    public boolean touch(String id, int maxInactiveSeconds) {
        return call("touch", () -> client.touch(key(id), expiry(maxInactiveSeconds), opTimeoutMillis));
    }

    @Override
    public void delete(String id) {
        call("delete", () -> client.delete(key(id), opTimeoutMillis));
    }

    @Override
    public void close() {
        try {
            client.shutdown();
        } catch (IOException e) {
            throw new SessionStoreException("closing the memcached client failed", e);
        }
    }

    /** The memcached expiration for a session that may stay idle {@code maxInactiveSeconds}. */
    int expiry(int maxInactiveSeconds) {
        if (maxInactiveSeconds <= 0) {
            return 0;
        }
        if (maxInactiveSeconds <= MAX_RELATIVE_EXPIRY_SECONDS) {
            return maxInactiveSeconds;
        }
        long absolute = clock.millis() / 1000 + maxInactiveSeconds;
        return (int) Math.min(absolute, Integer.MAX_VALUE);
    }

    private String key(String id) {
        return keyPrefix + id;
    }

    private <T> T call(String command, MemcachedCall<T> call) {
        try {
            return call.run();
        } catch (TimeoutException e) {
            throw new SessionStoreException("memcached " + command + " timed out after "
                    + opTimeoutMillis + " ms", e);
        } catch (MemcachedException e) {
            throw new SessionStoreException("memcached " + command + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SessionStoreException("interrupted during memcached " + command, e);
        }
    }

    @FunctionalInterface
    private interface MemcachedCall<T> {
        T run() throws TimeoutException, InterruptedException, MemcachedException;
    }
}
