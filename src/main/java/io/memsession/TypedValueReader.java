package io.memsession;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.Serializable;
import java.lang.reflect.Array;
import java.time.Year;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads the tagged JSON written by {@link TypedValueWriter}. Tags select from a fixed set of JDK types;
 * a class named in the data (enum, array component, Java-serialized object) is checked against the
 * allow-list before it is even loaded. Thread-safe.
 */
final class TypedValueReader {

    private static final Set<String> NON_FINITE = Set.of("NaN", "Infinity", "-Infinity");
    private static final Map<String, Class<?>> PRIMITIVES = Map.of("boolean", boolean.class, "byte", byte.class,
            "char", char.class, "short", short.class, "int", int.class, "long", long.class,
            "float", float.class, "double", double.class);
    private static final Map<String, Class<?>> JDK_ARRAY_COMPONENTS = ValueType.arrayComponentClasses().stream()
            .collect(Collectors.toUnmodifiableMap(Class::getName, Function.identity()));

    private final TypeAllowList allowList;

    TypedValueReader(TypeAllowList allowList) {
        this.allowList = allowList;
    }

    /** Reads the value starting at the parser's next token. */
    Object read(JsonParser p) throws IOException {
        return read(p, p.nextToken(), 0);
    }

    private Object read(JsonParser p, JsonToken token, int depth) throws IOException {
        if (token == null) {
            throw new UnreadableSessionException("Session attribute value ends unexpectedly");
        }
        return switch (token) {
            case VALUE_STRING -> p.getText();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            case START_ARRAY -> readTagged(p, depth);
            default -> throw new UnreadableSessionException("Unexpected JSON " + token + " in a session"
                    + " attribute value; expected a string, true, false, null or a [\"tag\", ...] array");
        };
    }

    private Object readTagged(JsonParser p, int depth) throws IOException {
        if (depth > TypedValueWriter.MAX_NESTING) {
            throw new UnreadableSessionException("Session attribute value nested more than "
                    + TypedValueWriter.MAX_NESTING + " levels deep");
        }
        String tag = nextString(p, "a type tag");
        ValueType type = ValueType.forTag(tag);
        if (type == null) {
            throw new UnreadableSessionException("Unknown type tag \"" + tag + "\" in a session attribute value");
        }
        Object value = readPayload(p, type, depth);
        expect(p, p.nextToken() == JsonToken.END_ARRAY, "the end of the \"" + tag + "\" value");
        return value;
    }

    private Object readPayload(JsonParser p, ValueType type, int depth) throws IOException {
        if (type.isText()) {
            String text = nextString(p, "\"" + type.tag() + "\" text");
            if ((type == ValueType.BIG_INTEGER || type == ValueType.BIG_DECIMAL)
                    && text.length() > TypedValueWriter.MAX_BIG_NUMBER_DIGITS + 12) {
                // parsing is quadratic in the digits: refuse before spending the CPU
                throw new UnreadableSessionException("A \"" + type.tag() + "\" value of " + text.length()
                        + " characters; at most " + TypedValueWriter.MAX_BIG_NUMBER_DIGITS + " digits are read");
            }
            try {
                return type.parseText(text);
            } catch (RuntimeException e) {
                throw new UnreadableSessionException(
                        "Invalid \"" + type.tag() + "\" value \"" + text + "\": " + e.getMessage(), e);
            }
        }
        return switch (type) {
            case INT -> readInt(p.nextToken(), p);
            case LONG -> readLong(p.nextToken(), p);
            case SHORT -> readShort(p.nextToken(), p);
            case BYTE -> readByte(p.nextToken(), p);
            case DOUBLE -> readDouble(p.nextToken(), p);
            case FLOAT -> readFloat(p.nextToken(), p);
            case DATE -> new Date(readLong(p.nextToken(), p));
            case YEAR -> Year.of(readInt(p.nextToken(), p));
            case ENUM -> readEnum(p);
            case BYTE_ARRAY -> {
                expect(p, p.nextToken() == JsonToken.VALUE_STRING, "base64 text");
                yield p.getBinaryValue();
            }
            case CHAR_ARRAY -> nextString(p, "char[] text").toCharArray();
            case SHORT_ARRAY -> readPrimitiveArray(p, short.class, TypedValueReader::readShort);
            case INT_ARRAY -> readPrimitiveArray(p, int.class, TypedValueReader::readInt);
            case LONG_ARRAY -> readPrimitiveArray(p, long.class, TypedValueReader::readLong);
            case FLOAT_ARRAY -> readPrimitiveArray(p, float.class, TypedValueReader::readFloat);
            case DOUBLE_ARRAY -> readPrimitiveArray(p, double.class, TypedValueReader::readDouble);
            case BOOLEAN_ARRAY -> readPrimitiveArray(p, boolean.class, TypedValueReader::readBoolean);
            case OBJECT_ARRAY -> readObjectArray(p, depth);
            case ARRAY_LIST -> readElements(p, depth);
            case LINKED_LIST -> new LinkedList<>(readElements(p, depth));
            case UNMODIFIABLE_LIST -> Collections.unmodifiableList(readElements(p, depth));
            case HASH_SET -> new HashSet<>(fewUnorderedKeys(readElements(p, depth)));
            case LINKED_HASH_SET -> new LinkedHashSet<>(fewUnorderedKeys(readElements(p, depth)));
            case TREE_SET -> new TreeSet<>(readElements(p, depth));
            case UNMODIFIABLE_SET -> Collections.unmodifiableSet(new LinkedHashSet<>(
                    fewUnorderedKeys(readElements(p, depth))));
            case HASH_MAP -> readMap(p, new HashMap<>(), depth);
            case LINKED_HASH_MAP -> readMap(p, new LinkedHashMap<>(), depth);
            case TREE_MAP -> readMap(p, new TreeMap<>(), depth);
            case CONCURRENT_HASH_MAP -> readMap(p, new ConcurrentHashMap<>(), depth);
            case UNMODIFIABLE_MAP -> Collections.unmodifiableMap(readMap(p, new LinkedHashMap<>(), depth));
            case SERIALIZED -> readSerialized(p);
            default -> throw new UnreadableSessionException("Type tag \"" + type.tag() + "\" has no payload reader");
        };
    }

    private static int readInt(JsonToken token, JsonParser p) throws IOException {
        expect(p, token == JsonToken.VALUE_NUMBER_INT, "an integer");
        return p.getIntValue();
    }

    private static long readLong(JsonToken token, JsonParser p) throws IOException {
        expect(p, token == JsonToken.VALUE_NUMBER_INT, "an integer");
        return p.getLongValue();
    }

    // Range checked here because Jackson's getByteValue also accepts 128..255.
    private static short readShort(JsonToken token, JsonParser p) throws IOException {
        int value = readInt(token, p);
        expect(p, value == (short) value, "a short");
        return (short) value;
    }

    private static byte readByte(JsonToken token, JsonParser p) throws IOException {
        int value = readInt(token, p);
        expect(p, value == (byte) value, "a byte");
        return (byte) value;
    }

    // Parsed from the text rather than via getDoubleValue so that floats avoid double rounding.
    private static double readDouble(JsonToken token, JsonParser p) throws IOException {
        return Double.parseDouble(numberText(token, p));
    }

    private static float readFloat(JsonToken token, JsonParser p) throws IOException {
        return Float.parseFloat(numberText(token, p));
    }

    private static String numberText(JsonToken token, JsonParser p) throws IOException {
        boolean number = token == JsonToken.VALUE_NUMBER_FLOAT || token == JsonToken.VALUE_NUMBER_INT;
        expect(p, number || (token == JsonToken.VALUE_STRING && NON_FINITE.contains(p.getText())),
                "a number, \"NaN\", \"Infinity\" or \"-Infinity\"");
        return p.getText();
    }

    private static boolean readBoolean(JsonToken token, JsonParser p) throws IOException {
        expect(p, token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE, "true or false");
        return token == JsonToken.VALUE_TRUE;
    }

    private Object readEnum(JsonParser p) throws IOException {
        String className = nextString(p, "an enum class name");
        String constant = nextString(p, "an enum constant name");
        // Only a JDK name is loaded before the isEnum() check; loading does not initialize the class.
        if (!className.startsWith("java.") && !allowList.allowsApplicationClass(className)) {
            throw notAllowed("enum", className);
        }
        Class<?> cls = load(className);
        if (!cls.isEnum()) {
            throw new UnreadableSessionException("Stored enum class " + className + " is not an enum");
        }
        for (Object value : cls.getEnumConstants()) {
            if (((Enum<?>) value).name().equals(constant)) {
                return value;
            }
        }
        throw new UnreadableSessionException("Enum " + className + " has no constant " + constant);
    }

    private Object readSerialized(JsonParser p) throws IOException {
        String className = nextString(p, "a class name");
        if (!allowList.allowsApplicationClass(className)) {
            throw notAllowed("Java-serialized", className);
        }
        Class<?> cls = load(className);
        if (!Serializable.class.isAssignableFrom(cls)) {
            throw new UnreadableSessionException("Stored class " + className + " is not Serializable");
        }
        expect(p, p.nextToken() == JsonToken.VALUE_STRING, "base64 text");
        Object value = JavaSerialization.deserialize(p.getBinaryValue(), allowList, className);
        if (!cls.isInstance(value)) {
            throw new UnreadableSessionException("Java-serialized value tagged " + className
                    + " holds a " + (value == null ? "null" : value.getClass().getName()));
        }
        return value;
    }

    private Object readObjectArray(JsonParser p, int depth) throws IOException {
        Class<?> component = resolveComponent(nextString(p, "an array component type"));
        List<Object> elements = readElements(p, depth);
        Object array = Array.newInstance(component, elements.size());
        try {
            for (int i = 0; i < elements.size(); i++) {
                Array.set(array, i, elements.get(i));
            }
        } catch (IllegalArgumentException e) {
            throw new UnreadableSessionException(
                    "Array of " + component.getName() + " holds an element of another type", e);
        }
        return array;
    }

    private Class<?> resolveComponent(String name) {
        String element = name;
        int dimensions = 0;
        while (element.endsWith("[]")) {
            element = element.substring(0, element.length() - 2);
            dimensions++;
        }
        Class<?> cls = dimensions > 0 ? PRIMITIVES.get(element) : null;
        if (cls == null) {
            cls = JDK_ARRAY_COMPONENTS.get(element);
        }
        if (cls == null) {
            if (element.startsWith("java.")) {
                cls = load(element);
                if (!TypeAllowList.isJdkEnum(cls)) {
                    throw notAllowed("array component", element);
                }
            } else if (allowList.allowsApplicationClass(element)) {
                cls = load(element);
            } else {
                throw notAllowed("array component", element);
            }
        }
        for (int i = 0; i < dimensions; i++) {
            cls = cls.arrayType();
        }
        return cls;
    }

    private List<Object> readElements(JsonParser p, int depth) throws IOException {
        expect(p, p.nextToken() == JsonToken.START_ARRAY, "a JSON array of elements");
        List<Object> elements = new ArrayList<>();
        for (JsonToken token = p.nextToken(); token != JsonToken.END_ARRAY; token = p.nextToken()) {
            elements.add(read(p, token, depth + 1));
        }
        return elements;
    }

    /**
     * The elements of a hashed set, refused when more than the writer allows have no natural order:
     * colliding hash codes among them would make each insert scan all the others.
     */
    private static List<Object> fewUnorderedKeys(List<Object> elements) {
        if (elements.size() > TypedValueWriter.MAX_UNORDERED_HASHED_KEYS && elements.stream()
                .filter(e -> e != null && !(e instanceof Comparable<?>)).count()
                > TypedValueWriter.MAX_UNORDERED_HASHED_KEYS) {
            throw tooManyUnorderedKeys();
        }
        return elements;
    }

    private static UnreadableSessionException tooManyUnorderedKeys() {
        return new UnreadableSessionException("A hashed map or set with more than "
                + TypedValueWriter.MAX_UNORDERED_HASHED_KEYS + " keys that have no natural order");
    }

    private Map<Object, Object> readMap(JsonParser p, Map<Object, Object> map, int depth) throws IOException {
        JsonToken start = p.nextToken();
        if (start == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                map.put(key, read(p, p.nextToken(), depth + 1));
            }
        } else {
            expect(p, start == JsonToken.START_ARRAY, "a JSON object or an array of [key, value] pairs");
            boolean hashed = !(map instanceof java.util.SortedMap<?, ?>);
            int unordered = 0;
            for (JsonToken token = p.nextToken(); token != JsonToken.END_ARRAY; token = p.nextToken()) {
                expect(p, token == JsonToken.START_ARRAY, "a [key, value] pair");
                Object key = read(p, p.nextToken(), depth + 1);
                if (hashed && key != null && !(key instanceof Comparable<?>)
                        && ++unordered > TypedValueWriter.MAX_UNORDERED_HASHED_KEYS) {
                    throw tooManyUnorderedKeys();
                }
                map.put(key, read(p, p.nextToken(), depth + 1));
                expect(p, p.nextToken() == JsonToken.END_ARRAY, "the end of a [key, value] pair");
            }
        }
        return map;
    }

    private interface ElementReader {
        Object read(JsonToken token, JsonParser p) throws IOException;
    }

    private static Object readPrimitiveArray(JsonParser p, Class<?> component, ElementReader elementReader)
            throws IOException {
        expect(p, p.nextToken() == JsonToken.START_ARRAY, "a JSON array");
        List<Object> elements = new ArrayList<>();
        for (JsonToken token = p.nextToken(); token != JsonToken.END_ARRAY; token = p.nextToken()) {
            elements.add(elementReader.read(token, p));
        }
        Object array = Array.newInstance(component, elements.size());
        for (int i = 0; i < elements.size(); i++) {
            Array.set(array, i, elements.get(i));
        }
        return array;
    }

    private static String nextString(JsonParser p, String what) throws IOException {
        expect(p, p.nextToken() == JsonToken.VALUE_STRING, what);
        return p.getText();
    }

    private static void expect(JsonParser p, boolean condition, String what) {
        if (!condition) {
            throw new UnreadableSessionException("Malformed session attribute value: expected " + what
                    + " at byte " + p.currentTokenLocation().getByteOffset() + ", found " + p.currentToken());
        }
    }

    private static Class<?> load(String className) {
        try {
            return AttributeCodec.loadClass(className);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new UnreadableSessionException("Stored class " + className + " cannot be loaded: " + e, e);
        }
    }

    private static UnreadableSessionException notAllowed(String what, String className) {
        return new UnreadableSessionException("Session attribute value names " + what + " class " + className
                + ", which is not allowed; " + TypeAllowList.howToAllow(className) + " if it is trusted");
    }
}
