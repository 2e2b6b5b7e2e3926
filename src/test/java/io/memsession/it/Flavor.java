package io.memsession.it;

/** An application enum stored in the session; allowed through {@code allowedClasses}. */
public enum Flavor {
    VANILLA,
    PISTACHIO
}
