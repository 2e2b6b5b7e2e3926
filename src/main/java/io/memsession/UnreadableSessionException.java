package io.memsession;

/**
 * A stored session document or attribute value that cannot be turned back into Java objects: malformed
 * JSON, an unknown format version or type tag, a class that is missing or not allowed, or a Java-serialized
 * value rejected by the deserialization filter.
 *
 * <p>Unchecked because callers cannot repair the data; they treat the session as absent.
 */
final class UnreadableSessionException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    UnreadableSessionException(String message) {
        super(message);
    }

    UnreadableSessionException(String message, Throwable cause) {
        super(message, cause);
    }
}
