package io.memsession.store;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * Which servers hold the copies of a session: a ketama-style ring (160 points per server, from MD5),
 * on which a session's owner is the server at or after the session's point and its replicas are the
 * next distinct servers going round.
 *
 * <p>Adding or removing a server moves only the sessions next to its points, as with one copy; the
 * servers a session lives on are computed, never stored, so every node agrees on them.
 */
final class ReplicaRing {

    private static final int POINTS_PER_SERVER = 160;

    private final long[] points;
    private final int[] serverAt;
    private final int servers;

    ReplicaRing(List<InetSocketAddress> servers) {
        TreeMap<Long, Integer> ring = new TreeMap<>();
        for (int s = 0; s < servers.size(); s++) {
            String name = servers.get(s).getHostString() + ":" + servers.get(s).getPort();
            for (int i = 0; i < POINTS_PER_SERVER / 4; i++) {
                byte[] digest = md5(name + "-" + i);
                for (int h = 0; h < 4; h++) {
                    // a point claimed twice stays with the first server: every node builds the same ring
                    ring.putIfAbsent(point(digest, h), s);
                }
            }
        }
        this.points = ring.keySet().stream().mapToLong(Long::longValue).toArray();
        this.serverAt = ring.values().stream().mapToInt(Integer::intValue).toArray();
        this.servers = servers.size();
    }

    /** The indexes of the {@code count} servers that hold {@code key}'s copies, owner first. */
    int[] serversFor(String key, int count) {
        int[] chosen = new int[Math.min(count, servers)];
        int found = 0;
        int at = Arrays.binarySearch(points, point(md5(key), 0));
        at = at >= 0 ? at : -at - 1;
        for (int step = 0; found < chosen.length && step < points.length; step++) {
            int server = serverAt[(at + step) % points.length];
            if (!contains(chosen, found, server)) {
                chosen[found++] = server;
            }
        }
        return chosen;
    }

    private static boolean contains(int[] chosen, int found, int server) {
        for (int i = 0; i < found; i++) {
            if (chosen[i] == server) {
                return true;
            }
        }
        return false;
    }

    /** The {@code h}-th 32-bit little-endian word of an MD5 digest, as ketama reads it. */
    private static long point(byte[] digest, int h) {
        return (long) (digest[3 + h * 4] & 0xFF) << 24 | (long) (digest[2 + h * 4] & 0xFF) << 16
                | (long) (digest[1 + h * 4] & 0xFF) << 8 | digest[h * 4] & 0xFF;
    }

    private static byte[] md5(String text) {
        try {
            return MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has MD5", e);
        }
    }
}
