package io.memsession.store;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Session documents in memcached, each written to {@code replicas} servers: the session's owner on a
 * consistent-hashing ring ({@link ReplicaRing}) and the next distinct servers after it, so that losing
 * a server loses no session.
 *
 * <p>The rules, for each session's copies in ring order:
 * <ul>
 * <li><b>The first copy that answers is authoritative:</b> compare-and-set writes, locks and end claims
 *     go to the owner while it answers, else to the first replica that does. Replicas are written after
 *     the authoritative write succeeded, and a write is acknowledged only once every live copy has it;
 *     a replica that fails is skipped (its breaker opens) and repaired by a later read.</li>
 * <li><b>Reads ask every copy</b> and serve the one with the highest {@link RevisionedDocument revision}
 *     (a tie goes to the earlier copy in ring order); a copy that is missing or older is written back
 *     from it, with {@code cas} or {@code add} so that a concurrent newer write is never overwritten.
 *     A server restarted empty or back from a partition thus never serves an older copy than its
 *     replicas hold.</li>
 * <li><b>Revisions</b> come from a hybrid clock: one more than the revision the writer loaded, or the
 *     wall clock in milliseconds when that is larger, so a writer that loaded the newest copy always
 *     writes a newer one.</li>
 * </ul>
 * Each server has its own client ({@link MemcachedSessionStore} with one server), hence its own breaker.
 */
public final class ReplicatedSessionStore implements SessionStore, LockStore {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedSessionStore.class);
    /** A compare-and-set version no copy holds, so that a write against it conflicts and reloads. */
    static final long NO_CURRENT_VERSION = Long.MAX_VALUE;

    private final List<MemcachedSessionStore> servers;
    private final ReplicaRing ring;
    private final int replicas;
    private final Clock clock;
    private final ServerHealth health;
    private final ConnectionLosses connectionLosses;
    private final int lockTtlSeconds;

    /**
     * Connects to each server with a client of its own.
     *
     * @param replicas how many servers hold each session, 2 to {@code servers.size()}
     * @param lockTtl the life of a session lock ({@code lockTtlSeconds}), for a lock that moves to a
     *     replica with its holder when the server it was taken on stops answering
     * @see MemcachedSessionStore#MemcachedSessionStore(List, String, Duration, Duration, Duration, Clock, boolean)
     */
    public ReplicatedSessionStore(List<InetSocketAddress> servers, int replicas, String keyPrefix, Duration opTimeout,
            Duration connectTimeout, Duration grace, Clock clock, boolean awaitAccessWrites, Duration lockTtl,
            SaslCredentials sasl) {
        if (replicas < 2 || replicas > servers.size()) {
            throw new IllegalArgumentException("replicas " + replicas + " with " + servers.size() + " servers");
        }
        this.replicas = replicas;
        this.lockTtlSeconds = (int) lockTtl.toSeconds();
        this.clock = clock;
        this.ring = new ReplicaRing(servers);
        this.health = ServerHealth.of(servers, clock);
        this.connectionLosses = health.connectionLosses();
        List<MemcachedSessionStore> stores = new ArrayList<>();
        try {
            for (InetSocketAddress server : servers) {
                stores.add(new MemcachedSessionStore(List.of(server), keyPrefix, opTimeout, connectTimeout, grace,
                        clock, awaitAccessWrites, sasl, health));
            }
        } catch (SessionStoreException e) {
            stores.forEach(MemcachedSessionStore::close);
            throw e;
        }
        this.servers = List.copyOf(stores);
    }

    /** The stores holding session {@code id}'s copies, owner first. */
    private List<MemcachedSessionStore> copiesOf(String id) {
        int[] chosen = ring.serversFor(id, replicas);
        List<MemcachedSessionStore> copies = new ArrayList<>(chosen.length);
        for (int index : chosen) {
            copies.add(servers.get(index));
        }
        return copies;
    }

    @Override
    public Optional<StoredSession> load(String id) {
        List<MemcachedSessionStore> copies = copiesOf(id);
        CopiesRead read = CopiesRead.of(id, copies);
        Optional<StoredSession> newest = read.newest();
        if (newest.isPresent()) {
            read.repairStale(id, copies);
        }
        return newest;
    }

    @Override
    public boolean create(String id, byte[] document, Access access) {
        byte[] stored = new RevisionedDocument(nextRevision(null), access.maxInactiveSeconds(), document).encode();
        List<MemcachedSessionStore> copies = copiesOf(id);
        int authoritative = firstAnswering(copies, store -> store.create(id, stored, access) ? 1 : 0);
        if (authoritative < 0) {
            return false;
        }
        forEachReplica(copies, authoritative, store -> store.create(id, stored, access));
        return true;
    }

    @Override
    public SaveOutcome replace(String id, byte[] document, long expectedVersion, StoredSession previous,
            Access access) {
        byte[] stored = new RevisionedDocument(nextRevision(previous), access.maxInactiveSeconds(), document).encode();
        List<MemcachedSessionStore> copies = copiesOf(id);
        SaveOutcome[] outcome = new SaveOutcome[1];
        int authoritative = firstAnswering(copies, store -> {
            outcome[0] = store.replace(id, stored, expectedVersion, previous, access);
            return outcome[0] == SaveOutcome.SAVED ? 1 : 0;
        });
        if (authoritative >= 0) {
            forEachReplica(copies, authoritative, store -> writeReplica(store, id, stored, previous, access));
        }
        return outcome[0];
    }

    @Override
    public boolean overwrite(String id, byte[] document, StoredSession previous, Access access) {
        byte[] stored = new RevisionedDocument(nextRevision(previous), access.maxInactiveSeconds(), document).encode();
        List<MemcachedSessionStore> copies = copiesOf(id);
        int authoritative = firstAnswering(copies, store -> store.overwrite(id, stored, previous, access) ? 1 : 0);
        if (authoritative < 0) {
            return false;
        }
        forEachReplica(copies, authoritative, store -> writeReplica(store, id, stored, previous, access));
        return true;
    }

    /** A replica takes the authoritative copy's document whatever it held, and gets it back if it lost it. */
    private static boolean writeReplica(MemcachedSessionStore store, String id, byte[] stored, StoredSession previous,
            Access access) {
        return store.overwrite(id, stored, previous, access) || store.create(id, stored, access);
    }

    @Override
    public void touch(String id, StoredSession previous, Access access) {
        onEveryCopy(id, store -> {
            store.touch(id, previous, access);
            return true;
        });
    }

    @Override
    public boolean keepAlive(String id, long accessTime) {
        return onEveryCopy(id, store -> store.keepAlive(id, accessTime));
    }

    @Override
    public boolean claimEnd(String id) {
        List<MemcachedSessionStore> copies = copiesOf(id);
        return firstAnswering(copies, store -> store.claimEnd(id) ? 1 : 0) >= 0;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Every copy is deleted; a copy on a server that does not answer stays until it expires, and a
     * read while it is the only one left would serve it (see docs/limits.md).
     */
    @Override
    public void delete(String id) {
        onEveryCopy(id, store -> {
            store.delete(id);
            return true;
        });
    }

    @Override
    public boolean tryAcquire(String id, String owner, int ttlSeconds) {
        return firstAnswering(copiesOf(id), store -> store.tryAcquire(id, owner, ttlSeconds) ? 1 : 0) >= 0;
    }

    /**
     * {@inheritDoc}
     *
     * <p>When the copy the lock was taken on stopped answering, its holder takes the lock over on the
     * first copy that answers, unless another request took it there first: a request that held the lock
     * when the owner died still writes its change.
     */
    @Override
    public long heldVersion(String id, String owner) {
        List<MemcachedSessionStore> copies = copiesOf(id);
        SessionStoreException failure = null;
        for (MemcachedSessionStore store : copies) {
            try {
                long held = store.heldVersion(id, owner);
                if (held == NOT_HELD && failure != null && store.tryAcquire(id, owner, lockTtlSeconds)) {
                    held = store.heldVersion(id, owner);
                }
                return held;
            } catch (SessionStoreException e) {
                failure = failure == null ? e : failure;
            }
        }
        throw failure;
    }

    @Override
    public void release(String id, String owner, long heldVersion) {
        firstAnswering(copiesOf(id), store -> {
            store.release(id, owner, heldVersion);
            return 1;
        });
    }

    /** Errors, timeouts and breaker state of each configured server. */
    public ServerStatistics serverStatistics() {
        return health.statistics();
    }

    /** How many times this node lost its connection to each server since it started. */
    public ConnectionLosses connectionLosses() {
        return connectionLosses;
    }

    @Override
    public void close() {
        connectionLosses.closing();
        RuntimeException failure = null;
        for (MemcachedSessionStore store : servers) {
            try {
                store.close();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * One more than the revision the writer loaded, or the wall clock when later: a writer that loaded
     * the newest copy writes a newer one whatever the nodes' clocks say.
     */
    private long nextRevision(StoredSession previous) {
        long loaded = previous == null ? StoredSession.NO_REVISION : previous.revision();
        return Math.max(loaded + 1, clock.millis());
    }

    /**
     * Runs {@code call} on the copies in ring order until one answers (throws no
     * {@link SessionStoreException}): the authoritative copy.
     *
     * @return that copy's index when the call answered 1, else -1
     * @throws SessionStoreException the owner's failure, when no copy answers
     */
    private static int firstAnswering(List<MemcachedSessionStore> copies, CopyCall call) {
        SessionStoreException failure = null;
        for (int i = 0; i < copies.size(); i++) {
            try {
                return call.on(copies.get(i)) == 1 ? i : -1;
            } catch (SessionStoreException e) {
                failure = failure == null ? e : failure;
            }
        }
        throw failure;
    }

    /** Writes the copies after the authoritative one; a replica that fails is left for a read to repair. */
    private static void forEachReplica(List<MemcachedSessionStore> copies, int authoritative, ReplicaWrite write) {
        for (int i = authoritative + 1; i < copies.size(); i++) {
            try {
                write.on(copies.get(i));
            } catch (SessionStoreException e) {
                LOG.debug("a replica write failed; a later read repairs the copy", e);
            }
        }
    }

    /**
     * Runs {@code call} on every copy; fails only when no copy answers.
     *
     * @return whether any copy answered true
     */
    private boolean onEveryCopy(String id, ReplicaWrite call) {
        SessionStoreException failure = null;
        boolean answered = false;
        boolean any = false;
        for (MemcachedSessionStore store : copiesOf(id)) {
            try {
                any |= call.on(store);
                answered = true;
            } catch (SessionStoreException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (!answered) {
            throw failure;
        }
        return any;
    }

    @FunctionalInterface
    private interface CopyCall {
        int on(MemcachedSessionStore store);
    }

    @FunctionalInterface
    private interface ReplicaWrite {
        boolean on(MemcachedSessionStore store);
    }
}
