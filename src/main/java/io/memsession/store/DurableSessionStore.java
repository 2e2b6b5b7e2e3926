package io.memsession.store;

import java.util.Optional;
import java.util.function.Function;

/**
 * A {@link SessionStore} that keeps sessions durably (a database), for the tier that puts memcached in
 * front of it.
 *
 * <p>Versions count writes, so that the tier can tell which of two copies is newer without reading the
 * documents: {@link #create} stores version 1, and a {@link #replace} that returns
 * {@link SaveOutcome#SAVED} stores {@code expectedVersion + 1}.
 */
public interface DurableSessionStore extends SessionStore {

    /** The row stored under {@code id}, with what the tier needs to cache it; empty when there is none. */
    Optional<DurableSession> read(String id);

    /**
     * The cache epoch: a number every node reads every second and any node advances when one of its
     * memcached writes failed, so that copies cached before are checked against this store once.
     */
    long cacheEpoch();

    /** Advances the {@link #cacheEpoch()} by one and returns the new value. */
    long advanceCacheEpoch();

    /**
     * One sweep of the rows that expired by {@code now}, unless another node is sweeping this key space
     * right now: hands the document of each (at most {@code maxRows}, earliest first) to {@code ender},
     * which ends the session through the normal path (announcement, delete) and says what became of it.
     * Rows of sessions found still live are looked at again a minute later; unreadable ones are deleted.
     *
     * @return false when another node holds the sweep
     */
    boolean sweepExpired(long now, int maxRows, Function<byte[], RowFate> ender);

    /** What ending an expired row's session did. */
    enum RowFate {
        /** Ended (or already gone): its row was deleted through the normal path. */
        ENDED,
        /** Still live after all (a cache knew of a later access): its row stays. */
        LIVE,
        /** Its document cannot be read: the sweep deletes the row unannounced. */
        UNREADABLE
    }

    /**
     * A session as the durable store holds it.
     *
     * @param document the encoded session
     * @param version the number of writes it has had (1 after {@link #create})
     * @param lastAccessTime the last access recorded durably, epoch milliseconds
     * @param maxInactiveSeconds its inactivity interval; zero or less: never expires
     */
    record DurableSession(byte[] document, long version, long lastAccessTime, int maxInactiveSeconds) {
    }
}
