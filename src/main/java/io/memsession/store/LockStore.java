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

    /** Whether {@code owner} still holds the lock (it may have expired and been taken by another). */
    boolean isHeldBy(String id, String owner);

    /** Releases the lock if, and only if, {@code owner} still holds it. */
    void release(String id, String owner);
}
