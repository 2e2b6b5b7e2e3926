package io.memsession.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** Where a session's copies go, and how a copy is written: pure logic, no memcached. */
class ReplicaRingTest {

    private static List<InetSocketAddress> servers(int count) {
        return IntStream.range(0, count).mapToObj(i -> InetSocketAddress.createUnresolved("10.0.0." + i, 11211))
                .toList();
    }

    @Test
    void copiesGoToDistinctServers_theSameOnEveryNode_andOwnersSpreadEvenly() {
        ReplicaRing ring = new ReplicaRing(servers(3));
        ReplicaRing otherNode = new ReplicaRing(servers(3));
        int[] owned = new int[3];
        for (int i = 0; i < 3000; i++) {
            int[] copies = ring.serversFor("session-" + i, 2);
            assertEquals(2, copies.length);
            assertNotEquals(copies[0], copies[1], "two copies on one server");
            assertArrayEquals(copies, otherNode.serversFor("session-" + i, 2), "every node places copies alike");
            owned[copies[0]]++;
        }
        for (int count : owned) {
            assertTrue(count > 700 && count < 1300, "owners spread over the servers: " + count);
        }
    }

    @Test
    void addingAServer_keepsMostOwners() {
        ReplicaRing three = new ReplicaRing(servers(3));
        ReplicaRing four = new ReplicaRing(servers(4));
        long kept = IntStream.range(0, 2000)
                .filter(i -> three.serversFor("s" + i, 2)[0] == four.serversFor("s" + i, 2)[0]).count();
        assertTrue(kept > 2000 * 0.6 && kept < 2000 * 0.9, "about three quarters keep their owner: " + kept);
    }

    @Test
    void aRevisionedDocument_readsBackWithItsRevisionAndInterval_andAPlainOneReadsAsTheOldest() {
        byte[] json = "{\"v\":1}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        RevisionedDocument read = RevisionedDocument.decode(new RevisionedDocument(1234567L, 1800, json).encode());
        assertEquals(1234567L, read.revision());
        assertEquals(1800, read.maxInactiveSeconds());
        assertArrayEquals(json, read.document());
        RevisionedDocument plain = RevisionedDocument.decode(json);
        assertEquals(StoredSession.NO_REVISION, plain.revision());
        assertArrayEquals(json, plain.document());
    }
}
