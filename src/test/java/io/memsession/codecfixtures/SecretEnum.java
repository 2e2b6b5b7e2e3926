package io.memsession.codecfixtures;

/** An enum outside the allow-list; its class initialization is recorded so tests can prove it never ran. */
public enum SecretEnum {
    LEAK;

    static {
        Tripwire.SECRET_ENUM_INITIALIZATIONS.incrementAndGet();
    }
}
