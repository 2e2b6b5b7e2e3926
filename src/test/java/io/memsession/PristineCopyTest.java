package io.memsession;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

/** Every in-place change that would change the encoded form must make {@link PristineCopy#same} false. */
class PristineCopyTest {

    private static Map<String, Object> profile() {
        Map<String, Object> profile = new LinkedHashMap<>();
        profile.put("name", "Ann");
        profile.put("id", 42L);
        profile.put("uuid", UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e"));
        profile.put("since", Instant.parse("2024-05-01T10:15:30Z"));
        profile.put("balance", new BigDecimal("1.50"));
        profile.put("roles", new ArrayList<>(List.of("reader", "writer")));
        profile.put("history", new LinkedList<>(List.of(1, 2, 3)));
        profile.put("address", new LinkedHashMap<>(Map.of("city", "London")));
        profile.put("tags", new LinkedHashSet<>(List.of("a", "b")));
        profile.put("flags", new HashSet<>(List.of("x", "y")));
        profile.put("scores", new HashMap<>(Map.of("math", 1, "art", 2)));
        profile.put("sorted", new TreeMap<>(Map.of("b", 2, "a", 1)));
        profile.put("sortedSet", new TreeSet<>(List.of(3, 1, 2)));
        profile.put("born", new Date(0));
        profile.put("nothing", null);
        return profile;
    }

    private static void assertDetected(String what, Consumer<Map<String, Object>> change) {
        Map<String, Object> value = profile();
        Object copy = PristineCopy.of(value);
        assertNotNull(copy, "a profile of JDK types is copied");
        assertTrue(PristineCopy.same(value, copy), "unchanged right after the copy");
        change.accept(value);
        assertFalse(PristineCopy.same(value, copy), what + " must count as a change");
    }

    @Test
    void unchangedValue_isSame_andTheCopySharesNoContainer() {
        Map<String, Object> value = profile();
        Object copy = PristineCopy.of(value);
        assertNotSame(value, copy);
        assertNotSame(value.get("roles"), ((Map<?, ?>) copy).get("roles"));
        assertNotSame(value.get("born"), ((Map<?, ?>) copy).get("born"));
        assertTrue(PristineCopy.same(value, copy));
        assertTrue(PristineCopy.same(profile(), copy), "an equal value built anew");
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyKindOfInPlaceChange_isDetected() {
        assertDetected("a nested list element added", v -> ((List<String>) v.get("roles")).add("admin"));
        assertDetected("a nested list reordered", v -> Collections.reverse((List<String>) v.get("roles")));
        assertDetected("a list element replaced by one of another class",
                v -> ((List<Object>) v.get("history")).set(0, 1L));
        assertDetected("an ArrayList replaced by an equal LinkedList",
                v -> v.put("roles", new LinkedList<>(List.of("reader", "writer"))));
        assertDetected("a top-level value changed", v -> v.put("name", "Bob"));
        assertDetected("a BigDecimal with another scale", v -> v.put("balance", new BigDecimal("1.5")));
        assertDetected("a key added", v -> v.put("new", 1));
        assertDetected("a key removed", v -> v.remove("name"));
        assertDetected("a LinkedHashMap reordered", v -> v.put("name", v.remove("name")));
        assertDetected("a LinkedHashSet reordered", v -> {
            ((LinkedHashSet<String>) v.get("tags")).remove("a");
            ((LinkedHashSet<String>) v.get("tags")).add("a");
        });
        assertDetected("a HashSet element replaced", v -> {
            ((HashSet<String>) v.get("flags")).remove("x");
            ((HashSet<String>) v.get("flags")).add("z");
        });
        assertDetected("a HashMap value changed", v -> ((Map<String, Object>) v.get("scores")).put("art", 3));
        assertDetected("a HashMap value of another class", v -> ((Map<String, Object>) v.get("scores")).put("art", 2L));
        assertDetected("a TreeMap entry added", v -> ((Map<String, Object>) v.get("sorted")).put("c", 3));
        assertDetected("a TreeSet element removed", v -> ((TreeSet<Integer>) v.get("sortedSet")).remove(2));
        assertDetected("a nested map changed", v -> ((Map<String, Object>) v.get("address")).put("city", "Paris"));
        assertDetected("a Date changed in place", v -> ((Date) v.get("born")).setTime(1));
        assertDetected("null replaced by a value", v -> v.put("nothing", "x"));
        assertDetected("a value replaced by null", v -> v.put("name", null));
    }

    @Test
    void valuesWithPartsItCannotCompare_haveNoCopy() {
        assertNull(PristineCopy.of(new ArrayList<>(List.of(new StringBuilder("x")))), "a mutable application-like part");
        assertNull(PristineCopy.of(new int[] {1}), "arrays are left to encoding");
        assertNull(PristineCopy.of(Collections.unmodifiableList(new ArrayList<>(List.of("a")))), "an unmodifiable view");
        assertNull(PristineCopy.of(new TreeSet<>(Comparator.reverseOrder())), "a comparator the copy would not have");
        assertNull(PristineCopy.of(new HashMap<>(Map.of(new ArrayList<>(List.of(1)), "v"))), "a mutable key");
        assertNull(PristineCopy.of(new HashSet<>(List.of(new Date(0)))), "a mutable set element");
        assertNull(PristineCopy.of(new java.sql.Timestamp(0)), "a Date subclass");
    }
}
