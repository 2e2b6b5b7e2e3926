package io.memsession.codecfixtures;

import java.io.Serializable;
import java.util.Objects;

/** An allowed Serializable holder used to smuggle other objects into a Java-serialized stream. */
public final class Box implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Object content;

    public Box(Object content) {
        this.content = content;
    }

    public Object content() {
        return content;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Box other && Objects.equals(content, other.content);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(content);
    }
}
