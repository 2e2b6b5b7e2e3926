package io.memsession.store;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A session document as {@link ReplicatedSessionStore} writes it to each server: a marker, the
 * document's logical revision, the session's inactivity interval (so that a repair can give a copy its
 * proper life), then the document.
 *
 * <p>memcached's {@code cas} values are per server and cannot order copies held by different servers;
 * the revision can. A stored value without the marker (written with one copy, {@code replicas=1}) reads
 * as revision {@link StoredSession#NO_REVISION}, older than any copy written with replicas.
 */
record RevisionedDocument(long revision, int maxInactiveSeconds, byte[] document) {

    private static final byte[] MARKER = {'m', 's', 'R', 1};
    private static final int HEADER = MARKER.length + Long.BYTES + Integer.BYTES;

    /** What is stored in memcached for this revision of the document. */
    byte[] encode() {
        return ByteBuffer.allocate(HEADER + document.length).put(MARKER).putLong(revision).putInt(maxInactiveSeconds)
                .put(document).array();
    }

    static RevisionedDocument decode(byte[] stored) {
        if (stored.length < HEADER || !Arrays.equals(stored, 0, MARKER.length, MARKER, 0, MARKER.length)) {
            return new RevisionedDocument(StoredSession.NO_REVISION, 0, stored);
        }
        ByteBuffer header = ByteBuffer.wrap(stored, MARKER.length, Long.BYTES + Integer.BYTES);
        long revision = header.getLong();
        return new RevisionedDocument(revision, header.getInt(), Arrays.copyOfRange(stored, HEADER, stored.length));
    }
}
