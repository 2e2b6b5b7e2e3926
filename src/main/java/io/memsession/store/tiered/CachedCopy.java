package io.memsession.store.tiered;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What the tier keeps in memcached for a session: the document plus the database version it is a copy
 * of and the access time the database holds, so that a writer can tell whether the cached copy is older
 * than its own without asking the database. A tombstone marks a session that was deleted: it outranks
 * every version, so a late write of an older copy cannot bring the session back.
 *
 * The cache epoch it was written under lets readers distrust copies written before a node's memcached
 * write failed (see {@link TieredSessionStore}).
 *
 * <p>Layout: {@code "MSt2"}, version, epoch, durable access time (8 bytes each), then the document.
 */
record CachedCopy(long version, long epoch, long durableAccessTime, byte[] document) {

    private static final byte[] MAGIC = {'M', 'S', 't', '2'};
    private static final int HEADER = MAGIC.length + 24;
    /** A tombstone's version: newer than any real one. */
    static final long TOMBSTONE_VERSION = Long.MAX_VALUE;
    /** What a foreign value (not written by the tier) counts as: older than any real copy. */
    static final long FOREIGN_VERSION = -1;

    static CachedCopy tombstone() {
        return new CachedCopy(TOMBSTONE_VERSION, Long.MAX_VALUE, 0, new byte[0]);
    }

    boolean isTombstone() {
        return version == TOMBSTONE_VERSION;
    }

    byte[] encode() {
        return ByteBuffer.allocate(HEADER + document.length).put(MAGIC).putLong(version).putLong(epoch).putLong(durableAccessTime)
                .put(document).array();
    }

    /** The copy in these bytes, or null when they were not written by the tier. */
    static CachedCopy decode(byte[] bytes) {
        if (bytes == null || bytes.length < HEADER || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            return null;
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes, MAGIC.length, 24);
        long version = buffer.getLong();
        long epoch = buffer.getLong();
        long durableAccess = buffer.getLong();
        return new CachedCopy(version, epoch, durableAccess, Arrays.copyOfRange(bytes, HEADER, bytes.length));
    }

    /** Whether this copy should replace {@code cached} (null: a foreign value) in memcached. */
    boolean isNewerThan(CachedCopy cached) {
        if (cached == null) {
            return true;
        }
        if (version != cached.version) {
            return version > cached.version;
        }
        if (epoch != cached.epoch) {
            return epoch > cached.epoch;
        }
        return durableAccessTime > cached.durableAccessTime;
    }
}
