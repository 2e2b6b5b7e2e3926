package io.memsession;

/** A session whose encoded form is larger than the store accepts; its save is refused, not attempted. */
final class SessionTooLargeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param size the size that is too large, e.g. {@code 1200 bytes}
     * @param limitName what the limit is, e.g. {@code maxSessionBytes}
     */
    SessionTooLargeException(String size, int limit, String limitName, String largestAttributes) {
        super("the encoded session is " + size + ", more than " + limitName + " (" + limit + "); largest"
                + " attributes: " + largestAttributes, null, false, false);
    }
}
