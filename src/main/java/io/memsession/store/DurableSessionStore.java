package io.memsession.store;

import java.util.Optional;

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
