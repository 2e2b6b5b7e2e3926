package io.memsession.it;

import jakarta.servlet.http.HttpSessionActivationListener;
import jakarta.servlet.http.HttpSessionEvent;
import java.io.Serializable;

/**
 * A session attribute value that must be told when its session moves between nodes, like a value holding a
 * transient resource. {@code sessionWillPassivate} notes the node in a serialized field, so a value read on
 * another node proves the callback ran before the session was written; {@code sessionDidActivate} notes the
 * node in a transient field, so reading it proves the callback ran after the value was read back.
 */
public final class ActivationValue implements HttpSessionActivationListener, Serializable {

    private static final long serialVersionUID = 1L;

    private final String label;
    private String passivatedOn;
    private transient String activatedOn;

    public ActivationValue(String label) {
        this.label = label;
    }

    @Override
    public void sessionWillPassivate(HttpSessionEvent se) {
        passivatedOn = se.getSession().getServletContext().getServletContextName();
        EventLog.record("sessionWillPassivate", this, se.getSession(), null, null, null, "label=" + label);
    }

    @Override
    public void sessionDidActivate(HttpSessionEvent se) {
        activatedOn = se.getSession().getServletContext().getServletContextName();
        EventLog.record("sessionDidActivate", this, se.getSession(), null, null, null, "label=" + label);
    }

    @Override
    public String toString() {
        return "Activation[" + label + ",passivatedOn=" + passivatedOn + ",activatedOn=" + activatedOn + "]";
    }
}
