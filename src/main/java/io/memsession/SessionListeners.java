package io.memsession;

import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's session listeners, named in the {@code listeners} init-param and created once at
 * start-up, and the events memsession sends them.
 *
 * <p>A filter cannot see the listeners registered with the container, and the container never fires
 * them for memsession's sessions (its own sessions are never created), so every listener named here
 * hears each event exactly once even when it is also declared with {@code <listener>}.
 */
final class SessionListeners {

    private static final Logger LOG = LoggerFactory.getLogger(SessionListeners.class);

    static final SessionListeners NONE = new SessionListeners(List.of());

    private final List<HttpSessionListener> lifecycle = new ArrayList<>();
    private final List<HttpSessionAttributeListener> attributes = new ArrayList<>();
    private final List<HttpSessionIdListener> ids = new ArrayList<>();

    SessionListeners(List<Object> listeners) {
        for (Object listener : listeners) {
            if (listener instanceof HttpSessionListener l) {
                lifecycle.add(l);
            }
            if (listener instanceof HttpSessionAttributeListener l) {
                attributes.add(l);
            }
            if (listener instanceof HttpSessionIdListener l) {
                ids.add(l);
            }
        }
    }

    boolean isEmpty() {
        return lifecycle.isEmpty() && attributes.isEmpty() && ids.isEmpty();
    }

    void sessionCreated(HttpSession session) {
        HttpSessionEvent event = new HttpSessionEvent(session);
        lifecycle.forEach(l -> notify(l, () -> l.sessionCreated(event)));
    }

    /** Called in reverse order of declaration, as containers do for destruction. */
    void sessionDestroyed(HttpSession session) {
        HttpSessionEvent event = new HttpSessionEvent(session);
        for (int i = lifecycle.size() - 1; i >= 0; i--) {
            HttpSessionListener listener = lifecycle.get(i);
            notify(listener, () -> listener.sessionDestroyed(event));
        }
    }

    void attributeAdded(HttpSession session, String name, Object value) {
        if (!attributes.isEmpty()) {
            HttpSessionBindingEvent event = new HttpSessionBindingEvent(session, name, value);
            attributes.forEach(l -> notify(l, () -> l.attributeAdded(event)));
        }
    }

    void attributeReplaced(HttpSession session, String name, Object oldValue) {
        if (!attributes.isEmpty()) {
            HttpSessionBindingEvent event = new HttpSessionBindingEvent(session, name, oldValue);
            attributes.forEach(l -> notify(l, () -> l.attributeReplaced(event)));
        }
    }

    void attributeRemoved(HttpSession session, String name, Object oldValue) {
        if (!attributes.isEmpty()) {
            HttpSessionBindingEvent event = new HttpSessionBindingEvent(session, name, oldValue);
            attributes.forEach(l -> notify(l, () -> l.attributeRemoved(event)));
        }
    }

    void sessionIdChanged(HttpSession session, String oldId) {
        if (!ids.isEmpty()) {
            HttpSessionEvent event = new HttpSessionEvent(session);
            ids.forEach(l -> notify(l, () -> l.sessionIdChanged(event, oldId)));
        }
    }

    /**
     * A listener that throws is logged and skipped, as containers do: it must not fail the request,
     * keep the other listeners from hearing the event, or stop a session from ending.
     */
    private static void notify(Object listener, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.error("session listener {} threw", listener.getClass().getName(), e);
        }
    }
}
