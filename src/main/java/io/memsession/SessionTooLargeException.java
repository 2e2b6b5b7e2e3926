package io.memsession;

/** A session whose encoded form is larger than the store accepts; its save is refused, not attempted. */
final class SessionTooLargeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    SessionTooLargeException(int bytes, int limit, String largestAttributes) {
        super("the encoded session is " + bytes + " bytes, more than maxSessionBytes (" + limit + "); largest"
                + " attributes: " + largestAttributes, null, false, false);
    }
}
