package io.memsession.store;

/**
 * Per-session locks shared by every node, for the {@code lock} concurrency mode.
 *
 * <p>A lock carries its owner's token, so that a release only removes a lock that is still the
 * owner's, and a time-to-live, so that a node that dies while holding one blocks others only until it
 * expires. Calls are bounded in time like those of {@link SessionStore}.
 */
public interface LockStore {

    /** Takes the lock of session {@code id} for {@code owner} if nobody holds it; never waits. */
    boolean tryAcquire(String id, String owner, int ttlSeconds);

    /** What {@link #heldVersion} answers when {@code owner} does not hold the lock, or it is not known. */
    long NOT_HELD = -1;

    /**
     * The lock's current version when {@code owner} still holds it (it may have expired and been taken
     * by another), else {@link #NOT_HELD}.
     */
    long heldVersion(String id, String owner);

    /**
     * Releases the lock if, and only if, {@code owner} still holds it.
     *
     * @param heldVersion what {@link #heldVersion} answered during this hold, so that the store can
     *     release it conditionally without reading it again; {@link #NOT_HELD} when it was not asked
     */
    void release(String id, String owner, long heldVersion);
}
