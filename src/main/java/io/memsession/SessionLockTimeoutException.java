package io.memsession;

/**
 * The session lock was not acquired within {@code lockTimeoutMillis} and the operator chose
 * {@code lockTimeoutAction=fail}: thrown from {@code getSession}, answered by the filter with
 * HTTP 503 and {@code Retry-After}.
 */
public final class SessionLockTimeoutException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    SessionLockTimeoutException(String message) {
        super(message);
    }
}
