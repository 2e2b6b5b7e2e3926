package io.memsession.store.jdbc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The row key of a session: a SHA-256 hash of its id, so that ids never appear in the table's key,
 * in statement logs or in lock and index dumps of the database.
 */
final class SessionKeys {

    /** Prefix of the rows that record which node announces a session's end; hashes never contain ':'. */
    private static final String END_CLAIM_PREFIX = "end:";

    private SessionKeys() {
    }

    static String of(String id) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    static String endClaimOf(String id) {
        return END_CLAIM_PREFIX + of(id);
    }
}
