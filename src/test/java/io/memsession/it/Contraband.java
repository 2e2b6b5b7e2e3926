package io.memsession.it;

import java.io.Serializable;

/** A Serializable application class that is NOT listed in {@code allowedClasses}: storing it must be refused. */
public final class Contraband implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String payload;

    public Contraband(String payload) {
        this.payload = payload;
    }

    @Override
    public String toString() {
        return "Contraband[" + payload + "]";
    }
}
