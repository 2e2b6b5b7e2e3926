package io.memsession.it;

import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionBindingListener;
import java.io.Serializable;
import java.util.Objects;

/**
 * A session attribute value that wants to know when it is bound and unbound. Each callback is recorded in
 * the {@link EventLog} with {@code visible=} what {@code event.getSession().getAttribute(name)} returned at
 * that moment: {@code self} (this very object), {@code null}, {@code other:VALUE}, or the exception name.
 */
public final class BoundValue implements HttpSessionBindingListener, Serializable {

    private static final long serialVersionUID = 1L;

    private final String label;

    public BoundValue(String label) {
        this.label = label;
    }

    @Override
    public void valueBound(HttpSessionBindingEvent event) {
        EventLog.record("valueBound", this, event.getSession(), event.getName(), this, null,
                "visible=" + visible(event));
    }

    @Override
    public void valueUnbound(HttpSessionBindingEvent event) {
        EventLog.record("valueUnbound", this, event.getSession(), event.getName(), this, null,
                "visible=" + visible(event));
    }

    private String visible(HttpSessionBindingEvent event) {
        try {
            Object current = event.getSession().getAttribute(event.getName());
            return current == this ? "self" : current == null ? "null" : "other:" + current;
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName();
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BoundValue v && label.equals(v.label);
    }

    @Override
    public int hashCode() {
        return Objects.hash(label);
    }

    @Override
    public String toString() {
        return "Bound[" + label + "]";
    }
}
