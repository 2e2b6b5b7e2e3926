package io.memsession.it;

import jakarta.servlet.ServletRequestEvent;
import jakarta.servlet.ServletRequestListener;

/** A listener, but not of sessions: naming it in {@code listeners} is a configuration error. */
public final class NotASessionListener implements ServletRequestListener {

    public NotASessionListener() {
        // public no-arg constructor: only its type is wrong
    }

    @Override
    public void requestInitialized(ServletRequestEvent sre) {
        // nothing
    }
}
