package io.memsession.store;

/** A store could not answer in time or at all (server down, timeout, protocol error). */
public class SessionStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SessionStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
