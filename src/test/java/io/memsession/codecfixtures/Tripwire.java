package io.memsession.codecfixtures;

import java.util.concurrent.atomic.AtomicInteger;

/** Counters that prove a class was never instantiated or initialized by a decode. */
public final class Tripwire {
    public static final AtomicInteger FORBIDDEN_READS = new AtomicInteger();
    public static final AtomicInteger SECRET_ENUM_INITIALIZATIONS = new AtomicInteger();

    private Tripwire() {
    }
}
