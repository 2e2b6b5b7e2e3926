package io.memsession.codecfixtures;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;

/** Serializable but never in the tests' allow-list: stands in for a deserialization gadget. */
public final class Forbidden implements Serializable {
    private static final long serialVersionUID = 1L;

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        Tripwire.FORBIDDEN_READS.incrementAndGet();
        in.defaultReadObject();
    }
}
