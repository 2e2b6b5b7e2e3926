package io.memsession.it;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * An application class stored in the session: Serializable, final fields, no no-arg constructor.
 * Allowed through the filter's {@code allowedClasses} init-param by its exact name.
 */
public final class Cart implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String owner;
    private final int quantity;
    private final BigDecimal total;

    public Cart(String owner, int quantity, BigDecimal total) {
        this.owner = owner;
        this.quantity = quantity;
        this.total = total;
    }

    public String owner() {
        return owner;
    }

    public int quantity() {
        return quantity;
    }

    public BigDecimal total() {
        return total;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cart c && owner.equals(c.owner) && quantity == c.quantity && total.equals(c.total);
    }

    @Override
    public int hashCode() {
        return Objects.hash(owner, quantity, total);
    }

    @Override
    public String toString() {
        return "Cart[" + owner + "," + quantity + "," + total + "]";
    }
}
