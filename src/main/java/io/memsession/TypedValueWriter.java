package io.memsession;

import java.io.IOException;
import java.io.Serializable;
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Year;
import java.util.Collection;
import java.util.Date;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;

import com.fasterxml.jackson.core.JsonGenerator;

/**
 * Classifies session attribute values and writes them as tagged JSON (format described on
 * {@link AttributeCodec}). Stateless apart from the allow-list, so thread-safe.
 */
final class TypedValueWriter {

    /** Containers nested deeper than this are refused; mostly catches a collection that contains itself. */
    static final int MAX_NESTING = 100;
    /**
     * Longest decimal text of a {@code BigInteger} or {@code BigDecimal} digits: parsing is quadratic in
     * it, so stored data could otherwise cost seconds of CPU per load.
     */
    static final int MAX_BIG_NUMBER_DIGITS = 1_000;
    /** About the bits {@link #MAX_BIG_NUMBER_DIGITS} decimal digits hold, checked at write time. */
    static final int MAX_BIG_NUMBER_BITS = 3_300;
    /**
     * Most keys without a natural order in one hashed map or set: such keys sharing a hash code make
     * every insert scan all of them, so a crafted document could cost seconds per load.
     */
    static final int MAX_UNORDERED_HASHED_KEYS = 1_000;
    /**
     * Longest attribute name, and longest map key written as a JSON field name: well below what the
     * reader accepts for a name, so that whatever is written reads back.
     */
    static final int MAX_NAME_LENGTH = 10_000;
    /** Most JSON tokens in one stored document (elements of every collection, nested, included). */
    static final long MAX_TOKENS = 2_000_000;

    private static final Set<Class<?>> JDK_ARRAY_COMPONENTS = ValueType.arrayComponentClasses();

    private final TypeAllowList allowList;

    TypedValueWriter(TypeAllowList allowList) {
        this.allowList = allowList;
    }

    /** @throws IllegalArgumentException explaining why the value, or an element of it, cannot be stored */
    void check(Object value) {
        check(value, 0);
    }

    private void check(Object value, int depth) {
        ValueType type = typeOf(value, depth);
        if (type == ValueType.OBJECT_ARRAY) {
            for (Object element : (Object[]) value) {
                check(element, depth + 1);
            }
        } else if (value instanceof Collection<?> collection && type != ValueType.SERIALIZED) {
            if (value instanceof Set<?> set && !(value instanceof SortedSet<?>)) {
                requireFewUnorderedKeys(set);
            }
            for (Object element : collection) {
                check(element, depth + 1);
            }
        } else if (value instanceof Map<?, ?> map && type != ValueType.SERIALIZED) {
            if (!(value instanceof SortedMap<?, ?>)) {
                requireFewUnorderedKeys(map.keySet());
            }
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                check(entry.getKey(), depth + 1);
                check(entry.getValue(), depth + 1);
            }
        } else if (value instanceof BigInteger big && big.bitLength() > MAX_BIG_NUMBER_BITS) {
            throw new IllegalArgumentException("Cannot store a BigInteger of " + big.bitLength() + " bits in the"
                    + " session: at most " + MAX_BIG_NUMBER_BITS + " bits (about " + MAX_BIG_NUMBER_DIGITS
                    + " digits), the most a node reads back");
        } else if (value instanceof BigDecimal big && big.unscaledValue().bitLength() > MAX_BIG_NUMBER_BITS) {
            throw new IllegalArgumentException("Cannot store a BigDecimal of more than about "
                    + MAX_BIG_NUMBER_DIGITS + " digits in the session, the most a node reads back");
        }
    }

    /**
     * Whether {@code name} can be a JSON field name that every node reads back: valid Unicode (no
     * unpaired surrogate, which UTF-8 cannot carry) and at most {@link #MAX_NAME_LENGTH} characters.
     */
    static boolean isStorableName(String name) {
        if (name.length() > MAX_NAME_LENGTH) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** The reader's bound on keys without a natural order in a hashed map or set, applied at write time. */
    private static void requireFewUnorderedKeys(Collection<?> keys) {
        if (keys.size() <= MAX_UNORDERED_HASHED_KEYS) {
            return;
        }
        long unordered = keys.stream().filter(k -> k != null && !(k instanceof Comparable<?>)).count();
        if (unordered > MAX_UNORDERED_HASHED_KEYS) {
            throw new IllegalArgumentException("Cannot store a hashed map or set with " + unordered + " keys that"
                    + " have no natural order (lists, sets, maps, arrays) in the session: at most "
                    + MAX_UNORDERED_HASHED_KEYS + ", the most a node reads back; use string keys");
        }
    }

    /**
     * The kind the value is stored as; shallow: elements are classified when they are visited.
     *
     * @throws IllegalArgumentException if the value cannot be stored
     */
    ValueType typeOf(Object value, int depth) {
        if (depth > MAX_NESTING) {
            throw new IllegalArgumentException("Cannot store a session attribute nested more than "
                    + MAX_NESTING + " levels deep (does a collection contain itself?)");
        }
        if (value == null) {
            return ValueType.NULL;
        }
        Class<?> cls = value.getClass();
        ValueType type = ValueType.forClass(cls);
        if (type != null) {
            if ((value instanceof SortedSet<?> set && set.comparator() != null)
                    || (value instanceof SortedMap<?, ?> map && map.comparator() != null)) {
                throw new IllegalArgumentException("Cannot store a " + cls.getName() + " with a Comparator in"
                        + " the session: only natural ordering is kept; copy it into a LinkedHashSet or"
                        + " LinkedHashMap to keep its order");
            }
            return type;
        }
        if (value instanceof Enum<?> constant) {
            requireAllowedEnum(constant.getDeclaringClass());
            return ValueType.ENUM;
        }
        if (cls.isArray()) {
            requireStorableComponent(cls.getComponentType());
            return ValueType.OBJECT_ARRAY;
        }
        if (allowList.allowsApplicationClass(cls.getName())) {
            if (!(value instanceof Serializable) || cls.isHidden()) {
                throw new IllegalArgumentException("Cannot store a value of class " + cls.getName()
                        + " in the session: it is listed in the init-param " + TypeAllowList.INIT_PARAM
                        + " but does not implement java.io.Serializable");
            }
            return ValueType.SERIALIZED;
        }
        throw notStorable(cls);
    }

    private void requireAllowedEnum(Class<?> enumClass) {
        if (!TypeAllowList.isJdkEnum(enumClass) && !allowList.allowsApplicationClass(enumClass.getName())) {
            throw notStorable(enumClass);
        }
    }

    private void requireStorableComponent(Class<?> component) {
        Class<?> element = component;
        while (element.isArray()) {
            element = element.getComponentType();
        }
        boolean storable = (element.isPrimitive() && element != component)
                || JDK_ARRAY_COMPONENTS.contains(element)
                || TypeAllowList.isJdkEnum(element)
                || allowList.allowsApplicationClass(element.getName());
        if (!storable) {
            throw new IllegalArgumentException("Cannot store an array of " + component.getName()
                    + " in the session: its component type is not a supported JDK type; "
                    + TypeAllowList.howToAllow(element.getName()) + " if it is an application class");
        }
    }

    private IllegalArgumentException notStorable(Class<?> cls) {
        String name = cls.getName();
        String advice = TypeAllowList.isJdkClassName(name)
                ? "this JDK type is not supported directly; to store it with Java serialization, "
                        + TypeAllowList.howToAllow(name)
                : "application classes must be allowed explicitly: " + TypeAllowList.howToAllow(name)
                        + (Serializable.class.isAssignableFrom(cls) ? ""
                                : ", and make it implement java.io.Serializable");
        return new IllegalArgumentException(
                "Cannot store a value of class " + name + " in the session: " + advice);
    }

    /** Writes the value as one JSON value; see {@link AttributeCodec} for the format. */
    void write(JsonGenerator gen, Object value) throws IOException {
        write(gen, value, 0);
    }

    private void write(JsonGenerator gen, Object value, int depth) throws IOException {
        ValueType type = typeOf(value, depth);
        switch (type) {
            case NULL -> gen.writeNull();
            case STRING -> gen.writeString((String) value);
            case BOOLEAN -> gen.writeBoolean((Boolean) value);
            default -> {
                gen.writeStartArray();
                gen.writeString(type.tag());
                writePayload(gen, type, value, depth);
                gen.writeEndArray();
            }
        }
    }

    private void writePayload(JsonGenerator gen, ValueType type, Object value, int depth) throws IOException {
        if (type.isText()) {
            gen.writeString(value.toString());
            return;
        }
        switch (type) {
            case INT -> gen.writeNumber((Integer) value);
            case LONG -> gen.writeNumber((Long) value);
            case SHORT -> gen.writeNumber((Short) value);
            case BYTE -> gen.writeNumber((Byte) value);
            case DOUBLE -> writeDouble(gen, (Double) value);
            case FLOAT -> writeFloat(gen, (Float) value);
            case DATE -> gen.writeNumber(((Date) value).getTime());
            case YEAR -> gen.writeNumber(((Year) value).getValue());
            case ENUM -> {
                Enum<?> constant = (Enum<?>) value;
                gen.writeString(constant.getDeclaringClass().getName());
                gen.writeString(constant.name());
            }
            case BYTE_ARRAY -> gen.writeBinary((byte[]) value);
            case CHAR_ARRAY -> {
                char[] chars = (char[]) value;
                gen.writeString(chars, 0, chars.length);
            }
            case SHORT_ARRAY, INT_ARRAY, LONG_ARRAY, FLOAT_ARRAY, DOUBLE_ARRAY, BOOLEAN_ARRAY ->
                    writePrimitiveArray(gen, value);
            case OBJECT_ARRAY -> {
                gen.writeString(componentName(value.getClass().getComponentType()));
                gen.writeStartArray();
                for (Object element : (Object[]) value) {
                    write(gen, element, depth + 1);
                }
                gen.writeEndArray();
            }
            case ARRAY_LIST, LINKED_LIST, UNMODIFIABLE_LIST, HASH_SET, LINKED_HASH_SET, TREE_SET,
                    UNMODIFIABLE_SET -> {
                gen.writeStartArray();
                for (Object element : (Collection<?>) value) {
                    write(gen, element, depth + 1);
                }
                gen.writeEndArray();
            }
            case HASH_MAP, LINKED_HASH_MAP, TREE_MAP, CONCURRENT_HASH_MAP, UNMODIFIABLE_MAP ->
                    writeMap(gen, (Map<?, ?>) value, depth);
            case SERIALIZED -> {
                gen.writeString(value.getClass().getName());
                gen.writeBinary(JavaSerialization.serialize(value, allowList));
            }
            default -> throw new IllegalStateException("no payload writer for " + type);
        }
    }

    // JSON has no NaN or infinities; Double.toString spells them so the reader can tell them from numbers.
    private static void writeDouble(JsonGenerator gen, double value) throws IOException {
        if (Double.isFinite(value)) {
            gen.writeNumber(value);
        } else {
            gen.writeString(Double.toString(value));
        }
    }

    private static void writeFloat(JsonGenerator gen, float value) throws IOException {
        if (Float.isFinite(value)) {
            gen.writeNumber(value);
        } else {
            gen.writeString(Float.toString(value));
        }
    }

    private static void writePrimitiveArray(JsonGenerator gen, Object array) throws IOException {
        gen.writeStartArray();
        int length = Array.getLength(array);
        for (int i = 0; i < length; i++) {
            Object element = Array.get(array, i);
            if (element instanceof Double d) {
                writeDouble(gen, d);
            } else if (element instanceof Float f) {
                writeFloat(gen, f);
            } else if (element instanceof Boolean b) {
                gen.writeBoolean(b);
            } else {
                gen.writeNumber(((Number) element).longValue());
            }
        }
        gen.writeEndArray();
    }

    // Maps keyed by strings (the usual case) read naturally as a JSON object; any other key type needs
    // [key, value] pairs because JSON object keys can only be strings.
    private void writeMap(JsonGenerator gen, Map<?, ?> map, int depth) throws IOException {
        // a key that cannot be a JSON field name (an unpaired surrogate, or very long) goes as a pair too
        boolean stringKeys = map.keySet().stream().allMatch(key -> key instanceof String name && isStorableName(name));
        if (stringKeys) {
            gen.writeStartObject();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                gen.writeFieldName((String) entry.getKey());
                write(gen, entry.getValue(), depth + 1);
            }
            gen.writeEndObject();
        } else {
            gen.writeStartArray();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                gen.writeStartArray();
                write(gen, entry.getKey(), depth + 1);
                write(gen, entry.getValue(), depth + 1);
                gen.writeEndArray();
            }
            gen.writeEndArray();
        }
    }

    /** Component type name for Object[]: the class name, with "[]" per extra dimension (e.g. "int[]"). */
    static String componentName(Class<?> component) {
        return component.isArray() ? componentName(component.getComponentType()) + "[]" : component.getName();
    }
}
