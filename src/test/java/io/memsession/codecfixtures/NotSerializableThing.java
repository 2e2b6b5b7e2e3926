package io.memsession.codecfixtures;

/** An application class that does not implement Serializable. */
public final class NotSerializableThing {
    public final String name;

    public NotSerializableThing(String name) {
        this.name = name;
    }
}
