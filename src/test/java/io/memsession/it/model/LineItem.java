package io.memsession.it.model;

import java.io.Serializable;
import java.util.Objects;

/** An application class allowed through a package wildcard ({@code io.memsession.it.model.*}). */
public final class LineItem implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String sku;
    private final long quantity;

    public LineItem(String sku, long quantity) {
        this.sku = sku;
        this.quantity = quantity;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LineItem i && sku.equals(i.sku) && quantity == i.quantity;
    }

    @Override
    public int hashCode() {
        return Objects.hash(sku, quantity);
    }

    @Override
    public String toString() {
        return "LineItem[" + sku + "," + quantity + "]";
    }
}
