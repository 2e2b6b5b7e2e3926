package io.memsession.store;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.google.code.yanf4j.core.Session;

import net.rubyeye.xmemcached.CASOperation;
import net.rubyeye.xmemcached.GetsResponse;
import net.rubyeye.xmemcached.MemcachedClient;
import net.rubyeye.xmemcached.XMemcachedClientBuilder;
import net.rubyeye.xmemcached.exception.MemcachedException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Session documents in memcached.
 *
 * <p>Four keys per session, all starting with {@code keyPrefix + H}, where {@code H} is the SHA-256 of
 * the session id in base64url (so that memcached's own listings reveal no live id):
 * <ul>
 * <li>{@code <prefix><H>}: the document;</li>
 * <li>{@code <prefix><H>.a}: the access record, {@code <access ms>:<interval s>:<life renewed ms>} in
 *     ASCII, written beside the document when the session is created and rewritten by every request
 *     that uses the session without changing it, so that access times are exact without rewriting the
 *     document;</li>
 * <li>{@code <prefix><H>.l}: the session's lock, only with {@code concurrency=lock};</li>
 * <li>{@code <prefix><H>.x}: exists only briefly, once a node has claimed the announcement of the
 *     session's end.</li>
 * </ul>
 * With several servers, sessions are spread by consistent hashing (ketama) of the part the keys share,
 * so all of a session's keys live on one server ({@link SameServerLocator}): a load is one round trip,
 * and losing a server loses whole sessions, never half of one.
 * Both the document and the access record live {@code interval + grace} seconds from their last
 * renewal; renewals of an unchanged document (a {@code touch}) happen at most every {@code grace / 2}
 * seconds, so a busy session usually costs one {@code gets} and one small write per request.
 *
 * <p>Every call is bounded by the operation timeout; a server that does not answer in time surfaces
 * as {@link SessionStoreException}, never as a blocked thread. memcached reads an expiration above 30
 * days as an absolute Unix time, so longer lives are converted here.
 */
public final class MemcachedSessionStore implements SessionStore, LockStore {

    /** Largest relative expiration memcached accepts; above it the value is taken as a Unix time. */
    static final int MAX_RELATIVE_EXPIRY_SECONDS = 30 * 24 * 60 * 60;
    /** How long {@link #close} waits for the client's threads to end. */
    static final long CLOSE_WAIT_MILLIS = 5_000;
    private static final Logger LOG = LoggerFactory.getLogger(MemcachedSessionStore.class);
    /** Never used itself, only cloned: a digest keeps state while it works. */
    private static final MessageDigest SHA_256 = newSha256();
    private static final Base64.Encoder KEY_ENCODER = Base64.getUrlEncoder().withoutPadding();
    /** The breaker key for "no server is connected": Xmemcached then fails every call at once. */
    private static final String NO_SERVER = "(no connected server)";
    static final String ACCESS_SUFFIX = ".a";
    static final String END_CLAIM_SUFFIX = ".x";
    static final String LOCK_SUFFIX = ".l";
    /**
     * An absolute Unix time long past: a {@code cas} with it is a conditional delete, which the text
     * protocol lacks otherwise (it refuses negative expirations).
     */
    private static final int EXPIRED_NOW = MAX_RELATIVE_EXPIRY_SECONDS + 1;

    private final MemcachedClient client;
    private final String keyPrefix;
    private final long opTimeoutMillis;
    private final int graceSeconds;
    private final Clock clock;
    private final RawBytesTranscoder transcoder = new RawBytesTranscoder();
    private final List<Thread> clientThreads;
    private final SameServerLocator locator = new SameServerLocator();
    private final ServerBreakers breakers;
    /** With one server, its address: no ring lookup per call. */
    private final InetSocketAddress onlyServer;
    private final ConnectionLosses connectionLosses;
    private final boolean awaitAccessWrites;
    private final ServerStatistics statistics;

    /**
     * Connects to the given servers; sessions are spread over several servers by consistent hashing.
     *
     * @param grace how long a document outlives its session's expiry, so that its end can be announced
     * @throws SessionStoreException when the client cannot be built
     */
    public MemcachedSessionStore(List<InetSocketAddress> servers, String keyPrefix, Duration opTimeout,
            Duration connectTimeout, Duration grace, Clock clock) {
        this(servers, keyPrefix, opTimeout, connectTimeout, grace, clock, true);
    }

    /**
     * Connects to the given servers; sessions are spread over several servers by consistent hashing.
     *
     * @param grace how long a document outlives its session's expiry, so that its end can be announced
     * @param awaitAccessWrites whether an access-time write of an unchanged session, a keep-alive and a
     *     lock release wait for memcached's answer; false sends them {@code noreply}
     * @throws SessionStoreException when the client cannot be built
     */
    public MemcachedSessionStore(List<InetSocketAddress> servers, String keyPrefix, Duration opTimeout,
            Duration connectTimeout, Duration grace, Clock clock, boolean awaitAccessWrites) {
        this(servers, keyPrefix, opTimeout, connectTimeout, grace, clock, awaitAccessWrites, null);
    }

    /**
     * Connects to the given servers; sessions are spread over several servers by consistent hashing.
     *
     * @param grace how long a document outlives its session's expiry, so that its end can be announced
     * @param awaitAccessWrites whether an access-time write of an unchanged session, a keep-alive and a
     *     lock release wait for memcached's answer; false sends them {@code noreply}
     * @param sasl credentials for servers that require SASL (binary protocol), or null (text protocol)
     * @throws SessionStoreException when the client cannot be built
     */
    public MemcachedSessionStore(List<InetSocketAddress> servers, String keyPrefix, Duration opTimeout,
            Duration connectTimeout, Duration grace, Clock clock, boolean awaitAccessWrites, SaslCredentials sasl) {
        this(servers, keyPrefix, opTimeout, connectTimeout, grace, clock, awaitAccessWrites, sasl,
                ServerHealth.of(servers, clock));
    }

    /** As above, keeping each server's breaker and counts in {@code health}, which several stores may share. */
    MemcachedSessionStore(List<InetSocketAddress> configuredServers, String keyPrefix, Duration opTimeout,
            Duration connectTimeout, Duration grace, Clock clock, boolean awaitAccessWrites, SaslCredentials sasl,
            ServerHealth health) {
        List<InetSocketAddress> servers = sasl == null ? configuredServers : sasl.addresses(configuredServers);
        this.awaitAccessWrites = awaitAccessWrites;
        this.keyPrefix = keyPrefix;
        this.opTimeoutMillis = opTimeout.toMillis();
        this.graceSeconds = (int) grace.toSeconds();
        this.clock = clock;
        this.breakers = health.breakers();
        this.onlyServer = servers.size() == 1 ? servers.get(0) : null;
        XMemcachedClientBuilder builder = new XMemcachedClientBuilder(servers);
        builder.setOpTimeout(opTimeoutMillis);
        builder.setConnectTimeout(connectTimeout.toMillis());
        builder.setSessionLocator(locator);
        builder.setTranscoder(transcoder);
        builder.setName("memsession");
        if (sasl != null) {
            sasl.configure(builder, servers);
        }
        this.connectionLosses = health.connectionLosses();
        builder.addStateListener(connectionLosses.listener());
        this.statistics = health.statistics();
        Set<Thread> before = liveThreads();
        try {
            this.client = builder.build();
        } catch (IOException e) {
            throw new SessionStoreException("cannot create the memcached client for " + servers, e);
        }
        Set<Thread> started = liveThreads();
        started.removeAll(before);
        // the client's own threads (reactors, timers), joined at close: Xmemcached's shutdown only asks
        // them to stop, and a container warns about (and may leak) threads a stopped webapp left running
        this.clientThreads = List.copyOf(started);
    }

    private static Set<Thread> liveThreads() {
        return new HashSet<>(Thread.getAllStackTraces().keySet());
    }

    @Override
    public Optional<StoredSession> load(String id) {
        String documentKey = documentKey(id);
        String accessKey = documentKey + ACCESS_SUFFIX;
        Map<String, GetsResponse<byte[]>> found = call("gets", id,
                () -> client.gets(List.of(documentKey, accessKey), opTimeoutMillis, transcoder));
        GetsResponse<byte[]> document = found == null ? null : found.get(documentKey);
        if (document == null || document.getValue() == null) {
            return Optional.empty();
        }
        AccessRecord access = AccessRecord.parse(found.get(accessKey));
        return Optional.of(new StoredSession(document.getValue(), document.getCas(),
                access == null ? StoredSession.UNKNOWN_ACCESS_TIME : access.time(),
                access == null ? StoredSession.UNKNOWN_ACCESS_TIME : access.lifeRenewedAt()));
    }

    /**
     * {@inheritDoc}
     *
     * <p>The access record is written beside the document without waiting for its own reply
     * ({@code noreply}), and sent first: on the one connection to a server memcached handles commands in
     * order, so once the document's {@code add} is answered the record is in place too (with several
     * servers the two keys may live apart, and the record follows a moment later). Requests that carry
     * the new session's cookie but never load it (static files) find it and keep the session alive (spec
     * 7.6), and creation still waits for one round trip. An {@code add} never replaces a record, so a
     * taken id keeps its own.
     */
    @Override
    public boolean create(String id, byte[] document, Access access) {
        int expiry = expiry(access.maxInactiveSeconds());
        AccessRecord record = new AccessRecord(access.time(), access.maxInactiveSeconds(), clock.millis());
        call("add", id, () -> {
            client.addWithNoReply(accessKey(id), expiry, record.encode(), transcoder);
            return null;
        });
        return call("add", id, () -> client.add(documentKey(id), expiry, document, transcoder, opTimeoutMillis));
    }

    /**
     * {@inheritDoc}
     *
     * <p>memcached answers a failed {@code cas} the same way whether the item changed or vanished,
     * so this reports {@link SaveOutcome#CONFLICT} for both; the caller's re-load tells them apart.
     * The access record is rewritten only when its own life needs renewing; until then it may hold an
     * older time than the document, and readers take the later of the two.
     */
    @Override
    public SaveOutcome replace(String id, byte[] document, long expectedVersion, StoredSession previous,
            Access access) {
        int expiry = expiry(access.maxInactiveSeconds());
        boolean stored = call("cas", id, () -> client.cas(documentKey(id), expiry, document, transcoder,
                opTimeoutMillis, expectedVersion));
        if (!stored) {
            return SaveOutcome.CONFLICT;
        }
        renewAccessRecordIfDue(id, previous, access);
        return SaveOutcome.SAVED;
    }

    /**
     * After a write of the document (which carries the access time): rewrites the access record only
     * when its own life needs renewing, at most every {@code grace / 2} seconds per session. It waits for
     * memcached's answer, so that the renewal is in place before the response leaves.
     */
    private void renewAccessRecordIfDue(String id, StoredSession previous, Access access) {
        long renewedAt = previous == null ? StoredSession.UNKNOWN_ACCESS_TIME : previous.lifeRenewedAt();
        if (lifeNeedsRenewal(renewedAt, access.maxInactiveSeconds())) {
            AccessRecord record = new AccessRecord(access.time(), access.maxInactiveSeconds(), clock.millis());
            call("set", id, () -> client.set(accessKey(id), expiry(access.maxInactiveSeconds()), record.encode(),
                    transcoder, opTimeoutMillis));
        }
    }

    @Override
    public void touch(String id, StoredSession previous, Access access) {
        long renewedAt = previous.lifeRenewedAt();
        if (lifeNeedsRenewal(renewedAt, access.maxInactiveSeconds())) {
            if (!renewDocument(id, access.maxInactiveSeconds())) {
                return;
            }
            renewedAt = clock.millis();
        }
        AccessRecord record = new AccessRecord(access.time(), access.maxInactiveSeconds(), renewedAt);
        int expiry = expiry(record.maxInactiveSeconds());
        // replace an existing record rather than set, so that one deleted by a concurrent invalidate
        // stays deleted
        boolean absent = previous.lastAccessTime() == StoredSession.UNKNOWN_ACCESS_TIME;
        if (!awaitAccessWrites) {
            call(absent ? "add" : "replace", id, () -> {
                if (absent) {
                    client.addWithNoReply(accessKey(id), expiry, record.encode(), transcoder);
                } else {
                    client.replaceWithNoReply(accessKey(id), expiry, record.encode(), transcoder);
                }
                return null;
            });
        } else if (absent) {
            // the only record of this access: wait for it, so that the next request, on any node, sees it
            call("add", id, () -> client.add(accessKey(id), expiry, record.encode(), transcoder, opTimeoutMillis));
        } else {
            call("replace", id, () -> client.replace(accessKey(id), expiry, record.encode(), transcoder,
                    opTimeoutMillis));
        }
    }

    @Override
    public boolean keepAlive(String id, long accessTime) {
        GetsResponse<byte[]> found = call("gets", id, () -> client.gets(accessKey(id), opTimeoutMillis, transcoder));
        AccessRecord current = AccessRecord.parse(found);
        if (current == null || current.hasExpiredBy(accessTime)) {
            return false;
        }
        long renewedAt = current.lifeRenewedAt();
        if (lifeNeedsRenewal(renewedAt, current.maxInactiveSeconds())) {
            if (!renewDocument(id, current.maxInactiveSeconds())) {
                return false;
            }
            renewedAt = clock.millis();
        }
        AccessRecord next = new AccessRecord(accessTime, current.maxInactiveSeconds(), renewedAt);
        // cas: an access record deleted meanwhile (invalidated) is not brought back; a concurrent
        // update already recorded an access at least as useful as this one
        int expiry = expiry(next.maxInactiveSeconds());
        if (awaitAccessWrites) {
            call("cas", id, () -> client.cas(accessKey(id), expiry, next.encode(), transcoder, opTimeoutMillis,
                    found.getCas()));
        } else {
            call("cas", id, () -> {
                client.casWithNoReply(accessKey(id), expiry, found, new Replacement(next.encode()));
                return null;
            });
        }
        return true;
    }

    @Override
    public boolean claimEnd(String id) {
        int claimLife = Math.max(60, 2 * graceSeconds);
        return call("add", id, () -> client.add(documentKey(id) + END_CLAIM_SUFFIX, claimLife, new byte[] {'1'},
                transcoder, opTimeoutMillis));
    }

    @Override
    public boolean overwrite(String id, byte[] document, StoredSession previous, Access access) {
        int expiry = expiry(access.maxInactiveSeconds());
        // replace, not set: a session deleted meanwhile stays deleted
        boolean stored = call("replace", id, () -> client.replace(documentKey(id), expiry, document, transcoder,
                opTimeoutMillis));
        if (stored) {
            renewAccessRecordIfDue(id, previous, access);
        }
        return stored;
    }

    @Override
    public boolean tryAcquire(String id, String owner, int ttlSeconds) {
        return call("add", id, () -> client.add(lockKey(id), ttlSeconds, owner.getBytes(StandardCharsets.US_ASCII),
                transcoder, opTimeoutMillis));
    }

    @Override
    public long heldVersion(String id, String owner) {
        GetsResponse<byte[]> lock = call("gets", id, () -> client.gets(lockKey(id), opTimeoutMillis, transcoder));
        return isOwnedBy(lock, owner) ? lock.getCas() : NOT_HELD;
    }

    @Override
    public void release(String id, String owner, long heldVersion) {
        // past the breaker: a lock this request took must not stay held for lockTtlSeconds because the
        // server failed for other requests meanwhile
        GetsResponse<byte[]> lock;
        if (heldVersion == NOT_HELD) {
            lock = callPastBreaker("gets", id, () -> client.gets(lockKey(id), opTimeoutMillis, transcoder));
            if (!isOwnedBy(lock, owner)) {
                return;
            }
        } else {
            // seen held by this owner at that version: the lock item has not changed since unless it
            // expired and was taken again, and then the cas below leaves the new holder's lock alone
            lock = new GetsResponse<>(heldVersion, owner.getBytes(StandardCharsets.US_ASCII));
        }
        // cas: if the lock expired and another owner took it since it was read, theirs stays
        if (awaitAccessWrites) {
            callPastBreaker("cas", id, () -> client.cas(lockKey(id), EXPIRED_NOW, lock.getValue(), transcoder,
                    opTimeoutMillis, lock.getCas()));
        } else {
            callPastBreaker("cas", id, () -> {
                client.casWithNoReply(lockKey(id), EXPIRED_NOW, lock, new Replacement(lock.getValue()));
                return null;
            });
        }
    }

    private static boolean isOwnedBy(GetsResponse<byte[]> lock, String owner) {
        return lock != null && lock.getValue() != null
                && owner.equals(new String(lock.getValue(), StandardCharsets.US_ASCII));
    }

    private String lockKey(String id) {
        return documentKey(id) + LOCK_SUFFIX;
    }

    @Override
    public void delete(String id) {
        call("delete", id, () -> client.delete(documentKey(id), opTimeoutMillis));
        call("delete", id, () -> {
            client.deleteWithNoReply(accessKey(id));
            return null;
        });
    }

    /** Errors, timeouts and breaker state of each configured server. */
    public ServerStatistics serverStatistics() {
        return statistics;
    }

    /** How many times this node lost its connection to each server since it started. */
    public ConnectionLosses connectionLosses() {
        return connectionLosses;
    }

    /** Closes the connections and waits, at most {@link #CLOSE_WAIT_MILLIS} in all, for the client's threads to end. */
    @Override
    public void close() {
        connectionLosses.closing();
        try {
            client.shutdown();
        } catch (IOException e) {
            throw new SessionStoreException("closing the memcached client failed", e);
        } finally {
            awaitClientThreads();
        }
    }

    private void awaitClientThreads() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
        try {
            for (Thread thread : clientThreads) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return;
                }
                thread.join(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The memcached expiration for a session that may stay idle {@code maxInactiveSeconds}: that plus
     * the grace period, as an absolute Unix time when longer than memcached's 30-day relative limit.
     */
    int expiry(int maxInactiveSeconds) {
        if (maxInactiveSeconds <= 0) {
            return 0;
        }
        long life = (long) maxInactiveSeconds + graceSeconds;
        if (life <= MAX_RELATIVE_EXPIRY_SECONDS) {
            return (int) life;
        }
        long absolute = clock.millis() / 1000 + life;
        return (int) Math.min(absolute, Integer.MAX_VALUE);
    }

    /** Whether the document's life, last renewed at {@code renewedAt}, has used up half its grace. */
    private boolean lifeNeedsRenewal(long renewedAt, int maxInactiveSeconds) {
        if (maxInactiveSeconds <= 0) {
            return renewedAt < 0;
        }
        return renewedAt < 0 || clock.millis() - renewedAt > graceSeconds * 500L;
    }

    private boolean renewDocument(String id, int maxInactiveSeconds) {
        int expiry = expiry(maxInactiveSeconds);
        return call("touch", id, () -> client.touch(documentKey(id), expiry, opTimeoutMillis));
    }

    /**
     * The document's key: the prefix and a SHA-256 hash of the id, so that what memcached lists (for
     * example {@code lru_crawler metadump}) names no live session; the other keys of a session add a
     * suffix to it. A session id carries 192 random bits, so its hash cannot be turned back into it.
     */
    private String documentKey(String id) {
        return keyPrefix + hashedId(id);
    }

    private String accessKey(String id) {
        return documentKey(id) + ACCESS_SUFFIX;
    }

    /** Base64url (no padding) of the SHA-256 of the id's ASCII bytes: 43 characters. */
    static String hashedId(String id) {
        byte[] digest = sha256().digest(id.getBytes(StandardCharsets.US_ASCII));
        return KEY_ENCODER.encodeToString(digest);
    }

    /** A fresh digest: a clone of one looked up once, which spares the provider lookup per key. */
    private static MessageDigest sha256() {
        try {
            return (MessageDigest) SHA_256.clone();
        } catch (CloneNotSupportedException e) {
            return newSha256();
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** Runs one client call for session {@code id}, through the breaker of the server that holds it. */
    private <T> T call(String command, String id, MemcachedCall<T> call) {
        return call(command, id, true, call);
    }

    /** Runs one client call for session {@code id} whatever the state of its server's breaker. */
    private <T> T callPastBreaker(String command, String id, MemcachedCall<T> call) {
        return call(command, id, false, call);
    }

    private <T> T call(String command, String id, boolean throughBreaker, MemcachedCall<T> call) {
        ServerBreakers.Breaker breaker = throughBreaker ? breakers.of(serverOf(id)) : null;
        if (breaker != null && !breaker.allowsCall()) {
            throw new SessionStoreException("memcached " + breaker.server() + " did not answer a moment ago; not asked"
                    + " again for " + breaker.refusingForMillis() + " ms", null);
        }
        try {
            T result = call.run();
            if (breaker != null && breaker.succeeded()) {
                LOG.warn("memcached {} answers again", breaker.server());
            }
            return result;
        } catch (TimeoutException e) {
            statistics.timedOut(breaker != null ? breaker.server() : serverOf(id));
            serverFailed(breaker);
            throw new SessionStoreException("memcached " + command + " timed out after "
                    + opTimeoutMillis + " ms", e);
        } catch (MemcachedException e) {
            statistics.failed(breaker != null ? breaker.server() : serverOf(id));
            serverFailed(breaker);
            throw new SessionStoreException("memcached " + command + " failed", e);
        } catch (IllegalArgumentException e) {
            release(breaker);
            // the client refuses some values itself, e.g. one larger than its 1 MiB item limit
            throw new SessionStoreException("memcached client refused the " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            release(breaker);
            Thread.currentThread().interrupt();
            throw new SessionStoreException("interrupted during memcached " + command, e);
        } catch (RuntimeException | Error e) {
            release(breaker);
            throw e;
        }
    }

    private static void release(ServerBreakers.Breaker breaker) {
        if (breaker != null) {
            breaker.released();
        }
    }

    private void serverFailed(ServerBreakers.Breaker breaker) {
        if (breaker != null && breaker.failed()) {
            LOG.error("memcached {} failed {} times in a row: requests for the sessions it holds are served as in"
                    + " an outage without waiting for it; it is asked again in {} ms", breaker.server(),
                    ServerBreakers.FAILURES_TO_OPEN, breaker.refusingForMillis());
        }
    }

    /** The server that holds session {@code id}'s items (all on one: {@link SameServerLocator}). */
    private Object serverOf(String id) {
        if (onlyServer != null) {
            return onlyServer;
        }
        Session session = locator.getSessionByKey(documentKey(id));
        return session == null ? NO_SERVER : session.getRemoteSocketAddress();
    }

    @FunctionalInterface
    private interface MemcachedCall<T> {
        T run() throws TimeoutException, InterruptedException, MemcachedException;
    }

    /** The value of a {@code noreply} {@code cas}: sent once, with the {@code cas} of the gets it follows. */
    private record Replacement(byte[] value) implements CASOperation<byte[]> {
        @Override
        public int getMaxTries() {
            return 1;
        }

        @Override
        public byte[] getNewValue(long currentCAS, byte[] currentValue) {
            return value;
        }
    }

    /** The access record's value: when the session was last used, its interval, when its life was renewed. */
    private record AccessRecord(long time, int maxInactiveSeconds, long lifeRenewedAt) {

        static AccessRecord parse(GetsResponse<byte[]> response) {
            if (response == null || response.getValue() == null) {
                return null;
            }
            String[] parts = new String(response.getValue(), StandardCharsets.US_ASCII).split(":");
            if (parts.length != 3) {
                return null;
            }
            try {
                return new AccessRecord(Long.parseLong(parts[0]), Integer.parseInt(parts[1]),
                        Long.parseLong(parts[2]));
            } catch (NumberFormatException e) {
                return null;
            }
        }

        boolean hasExpiredBy(long now) {
            return maxInactiveSeconds > 0 && now - time > maxInactiveSeconds * 1000L;
        }

        byte[] encode() {
            return (time + ":" + maxInactiveSeconds + ":" + lifeRenewedAt).getBytes(StandardCharsets.US_ASCII);
        }
    }
}
