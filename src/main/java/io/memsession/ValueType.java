package io.memsession;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The kinds of value {@link AttributeCodec} stores, each with its JSON type tag.
 *
 * <p>The set is closed on purpose: reading a tag can only ever produce one of these JDK types, an enum
 * constant or an allow-listed application class, never a class named by the stored data alone.
 */
enum ValueType {
    // Written as bare JSON (string, true/false, null): their JSON type already fixes the Java type.
    NULL(null, null),
    STRING(null, String.class),
    BOOLEAN(null, Boolean.class),

    INT("int", Integer.class),
    LONG("long", Long.class),
    SHORT("short", Short.class),
    BYTE("byte", Byte.class),
    DOUBLE("double", Double.class),
    FLOAT("float", Float.class),
    DATE("date", Date.class),
    YEAR("year", Year.class),

    // Stored as their toString() form, read back with the matching parse method.
    CHAR("char", Character.class, ValueType::parseChar),
    BIG_DECIMAL("bigdec", BigDecimal.class, BigDecimal::new),
    BIG_INTEGER("bigint", BigInteger.class, BigInteger::new),
    UUID_TEXT("uuid", UUID.class, UUID::fromString),
    INSTANT("instant", Instant.class, Instant::parse),
    LOCAL_DATE("localdate", LocalDate.class, LocalDate::parse),
    LOCAL_TIME("localtime", LocalTime.class, LocalTime::parse),
    LOCAL_DATE_TIME("localdatetime", LocalDateTime.class, LocalDateTime::parse),
    OFFSET_DATE_TIME("offsetdatetime", OffsetDateTime.class, OffsetDateTime::parse),
    OFFSET_TIME("offsettime", OffsetTime.class, OffsetTime::parse),
    ZONED_DATE_TIME("zoneddatetime", ZonedDateTime.class, ZonedDateTime::parse),
    DURATION("duration", Duration.class, Duration::parse),
    PERIOD("period", Period.class, Period::parse),
    YEAR_MONTH("yearmonth", YearMonth.class, YearMonth::parse),
    MONTH_DAY("monthday", MonthDay.class, MonthDay::parse),
    /** ZoneOffset or region id; ZoneId.of gives back the same subclass. */
    ZONE("zone", null, ZoneId::of),

    ENUM("enum", null),

    BYTE_ARRAY("byte[]", byte[].class),
    SHORT_ARRAY("short[]", short[].class),
    INT_ARRAY("int[]", int[].class),
    LONG_ARRAY("long[]", long[].class),
    FLOAT_ARRAY("float[]", float[].class),
    DOUBLE_ARRAY("double[]", double[].class),
    CHAR_ARRAY("char[]", char[].class),
    BOOLEAN_ARRAY("boolean[]", boolean[].class),
    OBJECT_ARRAY("array", null),

    ARRAY_LIST("list", ArrayList.class),
    LINKED_LIST("linkedlist", LinkedList.class),
    UNMODIFIABLE_LIST("ulist", null),
    HASH_SET("set", HashSet.class),
    LINKED_HASH_SET("linkedset", LinkedHashSet.class),
    TREE_SET("treeset", TreeSet.class),
    UNMODIFIABLE_SET("uset", null),
    HASH_MAP("map", HashMap.class),
    LINKED_HASH_MAP("linkedmap", LinkedHashMap.class),
    TREE_MAP("treemap", TreeMap.class),
    CONCURRENT_HASH_MAP("concmap", ConcurrentHashMap.class),
    UNMODIFIABLE_MAP("umap", null),

    SERIALIZED("ser", null);

    /**
     * The JDK's private read-only collection classes, matched by name since they cannot be referenced.
     * They come back as Collections.unmodifiable* views, which behave the same for the application.
     */
    private static final Map<String, ValueType> UNMODIFIABLE_BY_NAME = Map.ofEntries(
            Map.entry("java.util.ImmutableCollections$List12", UNMODIFIABLE_LIST),
            Map.entry("java.util.ImmutableCollections$ListN", UNMODIFIABLE_LIST),
            Map.entry("java.util.Collections$UnmodifiableList", UNMODIFIABLE_LIST),
            Map.entry("java.util.Collections$UnmodifiableRandomAccessList", UNMODIFIABLE_LIST),
            Map.entry("java.util.Collections$EmptyList", UNMODIFIABLE_LIST),
            Map.entry("java.util.Collections$SingletonList", UNMODIFIABLE_LIST),
            Map.entry("java.util.ImmutableCollections$Set12", UNMODIFIABLE_SET),
            Map.entry("java.util.ImmutableCollections$SetN", UNMODIFIABLE_SET),
            Map.entry("java.util.Collections$UnmodifiableSet", UNMODIFIABLE_SET),
            Map.entry("java.util.Collections$EmptySet", UNMODIFIABLE_SET),
            Map.entry("java.util.Collections$SingletonSet", UNMODIFIABLE_SET),
            Map.entry("java.util.ImmutableCollections$Map1", UNMODIFIABLE_MAP),
            Map.entry("java.util.ImmutableCollections$MapN", UNMODIFIABLE_MAP),
            Map.entry("java.util.Collections$UnmodifiableMap", UNMODIFIABLE_MAP),
            Map.entry("java.util.Collections$EmptyMap", UNMODIFIABLE_MAP),
            Map.entry("java.util.Collections$SingletonMap", UNMODIFIABLE_MAP));

    private static final Map<Class<?>, ValueType> BY_EXACT_CLASS = new HashMap<>();
    private static final Map<String, ValueType> BY_TAG = new HashMap<>();

    static {
        for (ValueType type : values()) {
            if (type.exactClass != null) {
                BY_EXACT_CLASS.put(type.exactClass, type);
            }
            if (type.tag != null) {
                BY_TAG.put(type.tag, type);
            }
        }
    }

    private final String tag;
    private final Class<?> exactClass;
    private final Function<String, Object> textParser;

    ValueType(String tag, Class<?> exactClass) {
        this(tag, exactClass, null);
    }

    ValueType(String tag, Class<?> exactClass, Function<String, Object> textParser) {
        this.tag = tag;
        this.exactClass = exactClass;
        this.textParser = textParser;
    }

    /** The JSON type tag; null for the kinds written as bare JSON. */
    String tag() {
        return tag;
    }

    /** Whether the payload is the value's toString() text, read back by {@link #parseText(String)}. */
    boolean isText() {
        return textParser != null;
    }

    /** @throws RuntimeException (DateTimeException, NumberFormatException, ...) when the text is invalid */
    Object parseText(String text) {
        return textParser.apply(text);
    }

    /**
     * The kind for a value whose class alone decides it (JDK value types, primitive arrays, the supported
     * collections); null when enum, Object[] or application-class rules must decide.
     */
    static ValueType forClass(Class<?> cls) {
        ValueType type = BY_EXACT_CLASS.get(cls);
        if (type == null && cls.getName().startsWith("java.")) {
            type = UNMODIFIABLE_BY_NAME.get(cls.getName());
            if (type == null && ZoneId.class.isAssignableFrom(cls)) {
                type = ZONE;
            }
        }
        return type;
    }

    /** The kind for a stored tag, or null if the tag is unknown. */
    static ValueType forTag(String tag) {
        return BY_TAG.get(tag);
    }

    /** Public, non-array JDK classes usable as an Object[] component type. */
    static Set<Class<?>> arrayComponentClasses() {
        Set<Class<?>> classes = new HashSet<>(Set.of(Object.class, Number.class, ZoneId.class,
                java.time.ZoneOffset.class));
        BY_EXACT_CLASS.keySet().stream().filter(cls -> !cls.isArray()).forEach(classes::add);
        return classes;
    }

    private static Object parseChar(String text) {
        if (text.length() != 1) {
            throw new IllegalArgumentException("a char must be exactly one UTF-16 unit, got \"" + text + "\"");
        }
        return text.charAt(0);
    }
}
