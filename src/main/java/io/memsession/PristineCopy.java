package io.memsession;

import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A deep copy of an attribute value made only of JDK value types and JDK collections, taken when the
 * value is handed out, so that the save can tell "unchanged in place" by comparing instead of encoding:
 * a request that only reads such a value then costs no JSON encoding at all.
 *
 * <p>The comparison is as strict as comparing encoded forms: every container must still have the exact
 * class it had (an {@code ArrayList} replaced by an equal {@code LinkedList} encodes differently), ordered
 * containers ({@code List}, {@code LinkedHashMap}, {@code LinkedHashSet}, {@code TreeMap},
 * {@code TreeSet}) their order, and leaves their exact class and {@code equals} value. Values of any other
 * kind (application objects, arrays, unmodifiable views, sorted containers with a comparator, maps or
 * sets holding mutable keys) have no copy: {@link #of} answers null and the caller encodes as before.
 */
final class PristineCopy {

    /** What {@link #copy} answers for a value, or a part of one, that it does not copy. */
    private static final Object UNSUPPORTED = new Object();

    private PristineCopy() {
    }

    /** A deep copy of {@code value}, or null when it is not made only of the kinds this class compares. */
    static Object of(Object value) {
        Object copy = copy(value);
        return copy == UNSUPPORTED ? null : copy;
    }

    /** Whether {@code current} is, in content, order and classes, what {@code copy} was taken from. */
    static boolean same(Object current, Object copy) {
        if (copy == null || AttributeCodec.isImmutable(copy)) {
            return sameLeaf(current, copy);
        }
        if (current == null || current.getClass() != copy.getClass()) {
            return false;
        }
        if (copy instanceof Date date) {
            return ((Date) current).getTime() == date.getTime();
        }
        if (copy instanceof List<?> list) {
            return sameInOrder(((List<?>) current).iterator(), list.iterator(), ((List<?>) current).size(), list.size());
        }
        if (copy instanceof Set<?> set) {
            Set<?> now = (Set<?>) current;
            if (now.size() != set.size()) {
                return false;
            }
            if (copy instanceof HashSet<?> && !(copy instanceof LinkedHashSet<?>)) {
                // elements are leaves, and the equals of every JDK value type is class-strict: a found
                // element is one of the same class, as in the stored form
                return now.containsAll(set);
            }
            return sameInOrder(now.iterator(), set.iterator(), now.size(), set.size());
        }
        Map<?, ?> now = (Map<?, ?>) current;
        Map<?, ?> map = (Map<?, ?>) copy;
        if (now.size() != map.size()) {
            return false;
        }
        if (copy instanceof HashMap<?, ?> && !(copy instanceof LinkedHashMap<?, ?>)) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!now.containsKey(entry.getKey()) || !same(now.get(entry.getKey()), entry.getValue())) {
                    return false;
                }
            }
            return true; // every key found (class-strict equals, as for sets) and sizes equal
        }
        Iterator<? extends Map.Entry<?, ?>> a = now.entrySet().iterator();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            Map.Entry<?, ?> other = a.next();
            if (!sameLeaf(other.getKey(), entry.getKey()) || !same(other.getValue(), entry.getValue())) {
                return false;
            }
        }
        return true;
    }

    private static Object copy(Object value) {
        if (value == null || AttributeCodec.isImmutable(value)) {
            return value;
        }
        Class<?> type = value.getClass();
        if (type == Date.class) {
            return new Date(((Date) value).getTime());
        }
        if (type == ArrayList.class || type == LinkedList.class) {
            List<Object> copy = type == ArrayList.class ? new ArrayList<>(((List<?>) value).size()) : new LinkedList<>();
            for (Object element : (List<?>) value) {
                Object part = copy(element);
                if (part == UNSUPPORTED) {
                    return UNSUPPORTED;
                }
                copy.add(part);
            }
            return copy;
        }
        if (type == HashSet.class || type == LinkedHashSet.class
                || (type == TreeSet.class && ((TreeSet<?>) value).comparator() == null)) {
            Set<Object> copy = type == HashSet.class ? new HashSet<>() : type == LinkedHashSet.class
                    ? new LinkedHashSet<>() : new TreeSet<>();
            for (Object element : (Set<?>) value) {
                if (!isLeaf(element)) {
                    return UNSUPPORTED;
                }
                copy.add(element);
            }
            return copy;
        }
        if (type == HashMap.class || type == LinkedHashMap.class
                || (type == TreeMap.class && ((TreeMap<?, ?>) value).comparator() == null)) {
            Map<Object, Object> copy = type == HashMap.class ? new HashMap<>() : type == LinkedHashMap.class
                    ? new LinkedHashMap<>() : new TreeMap<>();
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                Object part = copy(entry.getValue());
                if (!isLeaf(entry.getKey()) || part == UNSUPPORTED) {
                    return UNSUPPORTED;
                }
                copy.put(entry.getKey(), part);
            }
            return copy;
        }
        return UNSUPPORTED;
    }

    /** Set elements and map keys must be values that cannot change (a change would corrupt the container). */
    private static boolean isLeaf(Object value) {
        return value == null || AttributeCodec.isImmutable(value);
    }

    private static boolean sameLeaf(Object current, Object copy) {
        return current == copy
                || (current != null && copy != null && current.getClass() == copy.getClass() && current.equals(copy));
    }

    private static boolean sameInOrder(Iterator<?> current, Iterator<?> copy, int currentSize, int copySize) {
        if (currentSize != copySize) {
            return false;
        }
        while (copy.hasNext()) {
            if (!current.hasNext() || !same(current.next(), copy.next())) {
                return false;
            }
        }
        return !current.hasNext();
    }
}
