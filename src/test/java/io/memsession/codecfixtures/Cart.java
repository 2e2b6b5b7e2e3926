package io.memsession.codecfixtures;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** A typical application value: Serializable, final fields, no no-arg constructor. */
public final class Cart implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String owner;
    private final List<String> items;
    private final BigDecimal total;
    private final Color color;

    public Cart(String owner, List<String> items, BigDecimal total, Color color) {
        this.owner = owner;
        this.items = new ArrayList<>(items);
        this.total = total;
        this.color = color;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cart other && owner.equals(other.owner) && items.equals(other.items)
                && total.equals(other.total) && color == other.color;
    }

    @Override
    public int hashCode() {
        return Objects.hash(owner, items, total, color);
    }

    @Override
    public String toString() {
        return "Cart[" + owner + ", " + items + ", " + total + ", " + color + "]";
    }
}
