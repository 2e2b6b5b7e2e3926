package io.memsession.codecfixtures;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.concurrent.atomic.AtomicInteger;

/** An application value that counts how often it is serialized, i.e. encoded for the session. */
public final class CountingValue implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final AtomicInteger SERIALIZATIONS = new AtomicInteger();

    private final String text;

    public CountingValue(String text) {
        this.text = text;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        SERIALIZATIONS.incrementAndGet();
        out.defaultWriteObject();
    }
}
