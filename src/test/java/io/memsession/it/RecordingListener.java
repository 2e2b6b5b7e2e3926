package io.memsession.it;

import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An application session listener of every kind memsession supports, recording each callback into the
 * {@link EventLog} with what a real application would look at: the session id, the attribute name and event
 * value, what {@code getAttribute} answers at that moment, and, in {@code sessionDestroyed}, every attribute
 * (or that reading them threw). Subclasses only give it a distinct class name.
 */
public abstract class RecordingListener implements HttpSessionListener, HttpSessionAttributeListener,
        HttpSessionIdListener {

    @Override
    public void sessionCreated(HttpSessionEvent se) {
        EventLog.record("sessionCreated", this, se.getSession(), null, null, null, null);
    }

    @Override
    public void sessionDestroyed(HttpSessionEvent se) {
        HttpSession session = se.getSession();
        Map<String, String> attributes = new LinkedHashMap<>();
        String note = null;
        try {
            for (String name : Collections.list(session.getAttributeNames())) {
                attributes.put(name, String.valueOf(session.getAttribute(name)));
            }
        } catch (RuntimeException e) {
            attributes = null;
            note = "unreadable: " + e;
        }
        EventLog.record("sessionDestroyed", this, session, null, null, attributes, note);
    }

    @Override
    public void attributeAdded(HttpSessionBindingEvent event) {
        attributeEvent("attributeAdded", event);
    }

    @Override
    public void attributeReplaced(HttpSessionBindingEvent event) {
        attributeEvent("attributeReplaced", event);
    }

    @Override
    public void attributeRemoved(HttpSessionBindingEvent event) {
        attributeEvent("attributeRemoved", event);
    }

    @Override
    public void sessionIdChanged(HttpSessionEvent event, String oldSessionId) {
        EventLog.record("sessionIdChanged", this, event.getSession(), null, null, null, "oldId=" + oldSessionId);
    }

    private void attributeEvent(String type, HttpSessionBindingEvent event) {
        EventLog.record(type, this, event.getSession(), event.getName(), event.getValue(), null,
                "current=" + currentValue(event.getSession(), event.getName()));
    }

    /** What {@code session.getAttribute(name)} answers now, or the exception it throws. */
    static String currentValue(HttpSession session, String name) {
        try {
            return String.valueOf(session.getAttribute(name));
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName();
        }
    }
}
