package io.memsession.it;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Small helpers for the integration tests: polling with a deadline, exception text. */
final class ItSupport {

    /**
     * The memcached key of a session's document, as docs/storage.md specifies it: the prefix and the
     * base64url SHA-256 of the id (computed here independently of the code under test).
     */
    static String storedKey(String keyPrefix, String sessionId) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(sessionId.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return keyPrefix + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }


    private ItSupport() {
    }

    /**
     * A fleet test's teardown: stops the webapp nodes first (their filters close their memcached clients),
     * then the memcached servers, all of them even when one fails to stop. Null nodes are skipped.
     */
    static void stopAll(List<ContainerNode> nodes, List<MemcachedProcess> servers) throws Exception {
        try {
            for (ContainerNode node : nodes) {
                if (node != null) {
                    node.stop();
                }
            }
        } finally {
            servers.forEach(MemcachedProcess::close);
        }
    }

    /**
     * Re-checks {@code condition} every 50 ms until it holds; fails with {@code what} once {@code deadline}
     * has passed. This is polling for a state, never a fixed wait.
     */
    static void pollUntil(Duration deadline, String what, BooleanSupplier condition) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + deadline + ": " + what);
            }
            MemcachedProcess.pause(50);
        }
    }

    /** Every message along the cause (and suppressed) chain, for asserting on a start-up failure. */
    static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        append(sb, t, 0);
        return sb.toString();
    }

    private static void append(StringBuilder sb, Throwable t, int depth) {
        if (t == null || depth > 10) {
            return;
        }
        sb.append(t.getClass().getName()).append(": ").append(t.getMessage()).append('\n');
        for (Throwable s : t.getSuppressed()) {
            append(sb, s, depth + 1);
        }
        if (t.getCause() != t) {
            append(sb, t.getCause(), depth + 1);
        }
    }
}
