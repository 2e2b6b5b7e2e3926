package io.memsession;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memsession.codecfixtures.Box;
import io.memsession.codecfixtures.Cart;
import io.memsession.codecfixtures.Color;
import io.memsession.codecfixtures.Forbidden;
import io.memsession.codecfixtures.NotSerializableThing;
import io.memsession.codecfixtures.Tripwire;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URL;
import java.time.DayOfWeek;
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
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
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
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AttributeCodecTest {

    private static final String FIXTURES = "io.memsession.codecfixtures.";
    private static final Cart CART = new Cart("ann", List.of("book", "pen"), new BigDecimal("12.50"), Color.BLUE);

    private final AttributeCodec codec = new AttributeCodec(TypeAllowList.parse(
            FIXTURES + "Cart, " + FIXTURES + "Color " + FIXTURES + "Box " + FIXTURES + "NotSerializableThing"));
    private final AttributeCodec strictCodec = new AttributeCodec(TypeAllowList.parse(null));

    // ---- round trips -------------------------------------------------------------------------------------

    @Test
    void bareJsonForStringsBooleansAndNull() {
        assertEquals("\"h\\\"i\"", json("h\"i"));
        assertEquals("true", json(true));
        assertEquals("null", json(null));
        assertNull(codec.decode(codec.encode(null)));
    }

    @Test
    void taggedFormat() {
        assertEquals("[\"long\",42]", json(42L));
        assertEquals("[\"int\",42]", json(42));
        assertEquals("[\"bigdec\",\"1.50\"]", json(new BigDecimal("1.50")));
        assertEquals("[\"list\",[\"a\",[\"int\",1],null]]", json(new ArrayList<>(Arrays.asList("a", 1, null))));
        assertEquals("[\"map\",{\"k\":[\"short\",3]}]", json(new HashMap<>(Map.of("k", (short) 3))));
        assertEquals("[\"map\",[[[\"int\",1],\"one\"]]]", json(new HashMap<>(Map.of(1, "one"))));
        assertEquals("[\"enum\",\"java.util.concurrent.TimeUnit\",\"SECONDS\"]", json(TimeUnit.SECONDS));
        assertEquals("[\"array\",\"java.lang.String\",[\"a\",null]]", json(new String[] {"a", null}));
        assertEquals("[\"byte[]\",\"AAEC/w==\"]", json(new byte[] {0, 1, 2, -1}));
        assertTrue(json(CART).startsWith("[\"ser\",\"io.memsession.codecfixtures.Cart\",\"rO0AB"));
    }

    @Test
    void stringsAndCharsKeepEveryUtf16Unit() {
        for (String s : List.of("", "plain", "h\u00e9llo \u043f\u0440\u0438\u0432\u0435\u0442 \u4f60\u597d",
                "emoji \uD83D\uDE00", "lone \uD800 high", "lone \uDC00 low", "ctl \u0000\u0001\n\t\"\\")) {
            assertExactRoundTrip(s);
        }
        for (char c : new char[] {'x', '"', '\\', '\n', '\u0000', '\u00e9', '\uD800', '\uDFFF', '\uFFFF'}) {
            assertExactRoundTrip(c);
        }
        assertExactRoundTrip(Boolean.TRUE);
        assertExactRoundTrip(Boolean.FALSE);
    }

    @Test
    void integersKeepTheirBoxedType() {
        for (Object value : List.of(0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0L, Long.MIN_VALUE,
                Long.MAX_VALUE, (short) -5, Short.MIN_VALUE, Short.MAX_VALUE, (byte) 0, Byte.MIN_VALUE,
                Byte.MAX_VALUE)) {
            assertExactRoundTrip(value);
        }
        assertEquals(Long.class, roundTrip(1L).getClass());
        assertEquals(Integer.class, roundTrip(1).getClass());
    }

    @Test
    void floatingPointKeepsTypeBitsAndNonFiniteValues() {
        for (double d : new double[] {0.0, -0.0, 0.1, 1.0 / 3, 1e300, -1e-300, Double.MIN_VALUE, Double.MAX_VALUE,
                Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            assertExactRoundTrip(d);
        }
        for (float f : new float[] {0.0f, -0.0f, 0.1f, 1.0f / 3, 3.4e38f, Float.MIN_VALUE, Float.MAX_VALUE,
                Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1.0000001f}) {
            assertExactRoundTrip(f);
        }
        assertEquals("[\"double\",\"NaN\"]", json(Double.NaN));
        assertEquals("[\"float\",\"-Infinity\"]", json(Float.NEGATIVE_INFINITY));
    }

    @Test
    void bigNumbersKeepScaleAndDigits() {
        BigDecimal scaled = (BigDecimal) roundTrip(new BigDecimal("1.500"));
        assertEquals(3, scaled.scale());
        assertEquals(new BigDecimal("1.500"), scaled);
        assertExactRoundTrip(new BigDecimal("1E+3"));
        assertExactRoundTrip(new BigDecimal("-0.000000000000000000000000000001"));
        assertExactRoundTrip(new BigInteger("-123456789012345678901234567890123456789"));
    }

    @Test
    void dateTimeAndIdentifierValues() {
        ZonedDateTime paris = ZonedDateTime.of(2024, 10, 27, 2, 30, 0, 5, ZoneId.of("Europe/Paris"));
        List<Object> values = List.of(new Date(1_700_000_000_123L), Instant.ofEpochSecond(1_700_000_000L, 123_456_789),
                Instant.MIN, Instant.MAX, LocalDate.of(2024, 2, 29), LocalDate.of(-5, 1, 1), LocalTime.of(10, 15),
                LocalTime.of(23, 59, 59, 999_999_999), LocalDateTime.of(2024, 5, 1, 10, 15, 30, 1000),
                OffsetDateTime.of(2024, 5, 1, 10, 15, 0, 0, ZoneOffset.ofHoursMinutes(5, 30)),
                OffsetTime.of(10, 15, 0, 0, ZoneOffset.UTC), paris, paris.withEarlierOffsetAtOverlap(),
                paris.withLaterOffsetAtOverlap(), ZonedDateTime.of(2024, 1, 1, 0, 0, 0, 0, ZoneOffset.ofHours(-3)),
                ZonedDateTime.of(2024, 1, 1, 0, 0, 0, 0, ZoneId.of("UTC")), Duration.ofSeconds(5400, 7),
                Duration.ofMillis(-1), Period.of(1, -2, 3), Year.of(2024), Year.of(-50), YearMonth.of(2024, 5),
                MonthDay.of(2, 29), ZoneId.of("Europe/Paris"), ZoneOffset.ofHours(2), ZoneOffset.UTC, ZoneId.of("UTC"),
                ZoneId.of("GMT+01:00"), UUID.randomUUID(), DayOfWeek.MONDAY);
        for (Object value : values) {
            assertExactRoundTrip(value);
        }
        assertEquals("[\"zoneddatetime\",\"2024-10-27T02:30:00.000000005+02:00[Europe/Paris]\"]",
                json(paris.withEarlierOffsetAtOverlap()));
    }

    @Test
    void enumsByDeclaringClassAndName() {
        assertExactRoundTrip(TimeUnit.SECONDS);
        assertSame(Color.RED, roundTrip(Color.RED));
        assertSame(Color.BLUE, roundTrip(Color.BLUE), "constant with a body comes back as the same constant");
        assertEquals("[\"enum\",\"io.memsession.codecfixtures.Color\",\"BLUE\"]", json(Color.BLUE));
    }

    @Test
    void primitiveArrays() {
        assertArrayEquals(new byte[] {0, -128, 127}, (byte[]) roundTrip(new byte[] {0, -128, 127}));
        assertArrayEquals(new byte[0], (byte[]) roundTrip(new byte[0]));
        assertArrayEquals(new short[] {1, Short.MIN_VALUE}, (short[]) roundTrip(new short[] {1, Short.MIN_VALUE}));
        assertArrayEquals(new int[] {1, Integer.MIN_VALUE}, (int[]) roundTrip(new int[] {1, Integer.MIN_VALUE}));
        assertArrayEquals(new long[] {Long.MAX_VALUE}, (long[]) roundTrip(new long[] {Long.MAX_VALUE}));
        assertArrayEquals(new float[] {0.1f, Float.NaN}, (float[]) roundTrip(new float[] {0.1f, Float.NaN}));
        assertArrayEquals(new double[] {-0.0, Double.POSITIVE_INFINITY},
                (double[]) roundTrip(new double[] {-0.0, Double.POSITIVE_INFINITY}));
        assertArrayEquals(new boolean[] {true, false}, (boolean[]) roundTrip(new boolean[] {true, false}));
        assertArrayEquals(new char[] {'p', '\uD800', '\u00e9'}, (char[]) roundTrip(new char[] {'p', '\uD800', '\u00e9'}));
    }

    @Test
    void objectArraysKeepTheirComponentType() {
        Object strings = roundTrip(new String[] {"a", null, "c"});
        assertEquals(String[].class, strings.getClass());
        assertArrayEquals(new String[] {"a", null, "c"}, (String[]) strings);

        assertEquals(Integer[].class, roundTrip(new Integer[] {1, 2}).getClass());
        assertEquals(Number[].class, roundTrip(new Number[] {1, 2L, new BigDecimal("3.0")}).getClass());
        assertArrayEquals(new Number[] {1, 2L, new BigDecimal("3.0")},
                (Number[]) roundTrip(new Number[] {1, 2L, new BigDecimal("3.0")}));
        assertEquals(TimeUnit[].class, roundTrip(new TimeUnit[] {TimeUnit.DAYS}).getClass());
        assertEquals(Color[].class, roundTrip(new Color[] {Color.BLUE}).getClass());
        assertEquals(Cart[].class, roundTrip(new Cart[] {CART}).getClass());

        int[][] matrix = {{1, 2}, {}, null};
        Object back = roundTrip(matrix);
        assertEquals(int[][].class, back.getClass());
        assertTrue(Arrays.deepEquals(matrix, (int[][]) back));

        Object[] mixed = {"s", 1L, new ArrayList<>(List.of(1)), new String[][] {{"x"}}};
        Object[] mixedBack = (Object[]) roundTrip(mixed);
        assertEquals(Object[].class, mixedBack.getClass());
        assertTrue(Arrays.deepEquals(mixed, mixedBack));
        assertEquals(String[][].class, mixedBack[3].getClass());
    }

    @Test
    void listsKeepTypeOrderAndNulls() {
        ArrayList<Object> arrayList = new ArrayList<>(Arrays.asList("b", null, 3, "a"));
        assertExactRoundTrip(arrayList);
        assertExactRoundTrip(new LinkedList<>(List.of(3L, 1L, 2L)));
        for (List<?> readOnly : List.of(List.of(), List.of(1), List.of("z", "a", "m"),
                Collections.unmodifiableList(new ArrayList<>(Arrays.asList("x", null))),
                Collections.unmodifiableList(new LinkedList<>(List.of(1))), Collections.emptyList(),
                Collections.singletonList("one"))) {
            List<?> back = (List<?>) roundTrip(readOnly);
            assertEquals(readOnly, back);
            assertThrows(UnsupportedOperationException.class, () -> back.add(null));
        }
    }

    @Test
    void setsKeepTypeAndOrderWhereDefined() {
        assertExactRoundTrip(new HashSet<>(List.of(1, 2L, "3")));
        LinkedHashSet<String> linked = new LinkedHashSet<>(List.of("zeta", "alpha", "mid"));
        assertEquals(List.copyOf(linked), List.copyOf((Set<?>) roundTrip(linked)));
        assertExactRoundTrip(linked);
        TreeSet<String> tree = new TreeSet<>(List.of("b", "c", "a"));
        assertExactRoundTrip(tree);
        assertEquals(List.of("a", "b", "c"), List.copyOf((Set<?>) roundTrip(tree)));
        Set<?> readOnly = (Set<?>) roundTrip(Set.of(1, 2, 3));
        assertEquals(Set.of(1, 2, 3), readOnly);
        assertThrows(UnsupportedOperationException.class, () -> readOnly.remove(1));
    }

    @Test
    void mapsKeepTypeAndKeysOfAnyStorableType() {
        HashMap<Object, Object> anyKeys = new HashMap<>();
        anyKeys.put(1, "int one");
        anyKeys.put(1L, "long one");
        anyKeys.put(null, "null key");
        anyKeys.put(UUID.randomUUID(), null);
        anyKeys.put(new ArrayList<>(List.of("composite")), Color.RED);
        anyKeys.put(LocalDate.of(2024, 1, 1), new BigDecimal("1.0"));
        Map<?, ?> back = (Map<?, ?>) roundTrip(anyKeys);
        assertEquals(HashMap.class, back.getClass());
        assertEquals(anyKeys, back);
        assertEquals("int one", back.get(1));
        assertEquals("long one", back.get(1L));

        LinkedHashMap<String, Object> linked = new LinkedHashMap<>();
        linked.put("z", 1);
        linked.put("a", List.of());
        assertExactRoundTrip(linked);
        assertEquals(List.of("z", "a"), List.copyOf(((Map<?, ?>) roundTrip(linked)).keySet()));
        assertExactRoundTrip(new TreeMap<>(Map.of(3, "c", 1, "a")));
        assertExactRoundTrip(new ConcurrentHashMap<>(Map.of("k", 1.5)));
        assertExactRoundTrip(new HashMap<>());

        Map<?, ?> readOnly = (Map<?, ?>) roundTrip(Map.of("k", 1, "j", 2));
        assertEquals(Map.of("k", 1, "j", 2), readOnly);
        assertThrows(UnsupportedOperationException.class, () -> readOnly.clear());
    }

    @Test
    void nestedCollectionsKeepEveryLevel() {
        Map<String, Object> inner = new TreeMap<>(Map.of("n", new HashSet<>(Set.of(1, 2))));
        List<Object> list = new LinkedList<>(List.of(inner, 1, new ArrayList<>(List.of(List.of("deep")))));
        HashMap<Object, Object> outer = new HashMap<>(Map.of("list", list, Map.of(1, 2), 3));
        Object back = roundTrip(outer);
        assertEquals(outer, back);
        Object listBack = ((Map<?, ?>) back).get("list");
        assertEquals(LinkedList.class, listBack.getClass());
        Object innerBack = ((List<?>) listBack).get(0);
        assertEquals(TreeMap.class, innerBack.getClass());
        assertEquals(HashSet.class, ((Map<?, ?>) innerBack).get("n").getClass());
    }

    @Test
    void serializableApplicationClassWithFinalFieldsAndNoDefaultConstructor() {
        assertExactRoundTrip(CART);
        assertExactRoundTrip(new Box(new ArrayList<>(List.of(CART, Instant.EPOCH, new TreeMap<>(Map.of("a", 1))))));
        codec.checkStorable(new ArrayList<>(List.of(CART)));
    }

    // ---- values that cannot be stored --------------------------------------------------------------------

    @Test
    void applicationClassOutsideTheAllowListIsRefused() {
        IllegalArgumentException check = assertThrows(IllegalArgumentException.class,
                () -> strictCodec.checkStorable(CART));
        assertMentions(check, "io.memsession.codecfixtures.Cart", "allowedClasses", "io.memsession.codecfixtures.*");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> strictCodec.encode(CART)),
                "io.memsession.codecfixtures.Cart", "allowedClasses");
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> strictCodec.checkStorable(new HashMap<>(Map.of("k", List.of(1, CART))))),
                "io.memsession.codecfixtures.Cart", "allowedClasses");
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> strictCodec.checkStorable(Color.RED)), "io.memsession.codecfixtures.Color", "allowedClasses");
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> strictCodec.checkStorable(new Cart[0])), "io.memsession.codecfixtures.Cart", "allowedClasses");
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> codec.checkStorable(new Forbidden())), "io.memsession.codecfixtures.Forbidden", "allowedClasses");
    }

    @Test
    void nonSerializableClassesAreRefused() {
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> codec.checkStorable(new NotSerializableThing("x"))), "NotSerializableThing", "java.io.Serializable");
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> codec.encode(new Box(new NotSerializableThing("x")))), "NotSerializableThing", "java.io.Serializable");
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> strictCodec.checkStorable(new NotSerializableThing("x"))), "allowedClasses", "java.io.Serializable");
    }

    @Test
    void classesTheReaderWouldRejectAreRefusedAtWriteTime() {
        assertMentions(assertThrows(IllegalArgumentException.class, () -> codec.encode(new Box(new AtomicLong(1)))),
                "java.util.concurrent.atomic.AtomicLong", "allowedClasses");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> codec.encode(new Box(new Forbidden()))),
                "io.memsession.codecfixtures.Forbidden", "allowedClasses");
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> codec.encode(new Box(new TreeSet<>(Comparator.reverseOrder())))), "allowedClasses");
    }

    @Test
    void unsupportedJdkTypesAndShapesAreRefused() throws Exception {
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> codec.checkStorable(new URL("http://example.com/"))), "java.net.URL");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> codec.checkStorable(new AtomicLong())),
                "java.util.concurrent.atomic.AtomicLong");
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> codec.checkStorable(new java.sql.Timestamp(0))), "java.sql.Timestamp");
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> codec.encode(new TreeSet<>(Comparator.reverseOrder()))), "Comparator");
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> codec.checkStorable(new TreeMap<>(String.CASE_INSENSITIVE_ORDER))), "Comparator");
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> codec.checkStorable(new ArrayList<>(List.of(new Object())))), "java.lang.Object");
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> codec.checkStorable(new StringBuilder[0])), "java.lang.StringBuilder");
        List<Object> selfContaining = new ArrayList<>();
        selfContaining.add(selfContaining);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> codec.checkStorable(selfContaining)),
                "nested");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> codec.encode(selfContaining)), "nested");
    }

    // ---- decoding refuses what it must not read ---------------------------------------------------------

    @Test
    void decodeRefusesJavaSerializedClassesOutsideTheAllowList() throws Exception {
        int readsBefore = Tripwire.FORBIDDEN_READS.get();
        String forbidden = javaSerialized(new Forbidden());
        // Refused on the tag alone, before the blob is even parsed.
        assertRefused("[\"ser\",\"io.memsession.codecfixtures.Forbidden\",\"" + forbidden + "\"]", "Forbidden",
                "not allowed", "allowedClasses");
        assertRefused("[\"ser\",\"io.memsession.codecfixtures.Forbidden\",\"AAAA\"]", "Forbidden", "not allowed");
        // Tag names an allowed class, but the stream holds another one.
        assertRefused("[\"ser\",\"io.memsession.codecfixtures.Cart\",\"" + forbidden + "\"]", "Cart");
        assertRefused("[\"ser\",\"io.memsession.codecfixtures.Box\",\"" + javaSerialized(new Box(new Forbidden()))
                + "\"]", "Box");
        assertRefused("[\"ser\",\"io.memsession.codecfixtures.Box\",\"" + javaSerialized(new Box(new AtomicLong(7)))
                + "\"]", "java.util.concurrent.atomic.AtomicLong");
        assertRefused("[\"ser\",\"java.net.URL\",\"" + javaSerialized(new URL("http://example.com/")) + "\"]",
                "java.net.URL", "not allowed", "allowedClasses");
        assertEquals(readsBefore, Tripwire.FORBIDDEN_READS.get(), "Forbidden.readObject must never run");

        // Sanity check of the tripwire: a codec that does allow the class does run readObject.
        AttributeCodec permissive = new AttributeCodec(TypeAllowList.parse(FIXTURES + "Forbidden"));
        permissive.decode(("[\"ser\",\"io.memsession.codecfixtures.Forbidden\",\"" + forbidden + "\"]").getBytes(UTF_8));
        assertEquals(readsBefore + 1, Tripwire.FORBIDDEN_READS.get());
    }

    @Test
    void decodeRefusesEnumsAndArrayComponentsOutsideTheAllowList() {
        assertRefused("[\"enum\",\"io.memsession.codecfixtures.SecretEnum\",\"LEAK\"]", "SecretEnum", "allowedClasses");
        assertRefused("[\"array\",\"io.memsession.codecfixtures.SecretEnum\",[]]", "SecretEnum");
        assertRefused("[\"array\",\"io.memsession.codecfixtures.SecretEnum[]\",[]]", "SecretEnum");
        assertEquals(0, Tripwire.SECRET_ENUM_INITIALIZATIONS.get(), "SecretEnum must never be initialized");
        assertRefused("[\"enum\",\"java.net.URL\",\"X\"]", "java.net.URL");
        assertRefused("[\"array\",\"java.net.URL\",[]]", "java.net.URL");
        assertRefused("[\"array\",\"int\",[]]", "int");
        assertRefused("[\"enum\",\"java.util.concurrent.TimeUnit\",\"FORTNIGHTS\"]", "FORTNIGHTS");
        assertRefused("[\"array\",\"java.lang.String\",[[\"int\",1]]]", "java.lang.String");
    }

    @Test
    void decodeRefusesMissingClasses() {
        AttributeCodec wildcard = new AttributeCodec(TypeAllowList.parse("io.memsession.codecfixtures.*"));
        assertThrows(UnreadableSessionException.class, () -> wildcard.decode(
                "[\"ser\",\"io.memsession.codecfixtures.Missing\",\"AAAA\"]".getBytes(UTF_8)));
        assertThrows(UnreadableSessionException.class, () -> wildcard.decode(
                "[\"enum\",\"io.memsession.codecfixtures.Missing\",\"A\"]".getBytes(UTF_8)));
        // Allowed, loadable, but not Serializable.
        assertRefused("[\"ser\",\"io.memsession.codecfixtures.NotSerializableThing\",\"AAAA\"]", "Serializable");
    }

    @Test
    void decodeRefusesUnknownTagsAndMalformedInput() {
        assertRefused("[\"nope\",1]", "nope");
        assertRefused("[\"java.lang.Runtime\",1]", "java.lang.Runtime");
        assertRefused("[]", "type tag");
        assertRefused("[42]", "type tag");
        assertRefused("42", "NUMBER");
        assertRefused("{\"t\":\"int\",\"v\":1}", "START_OBJECT");
        assertRefused("[\"int\",\"1\"]", "integer");
        assertRefused("[\"int\",1.5]", "integer");
        assertRefused("[\"int\",12345678901]", "");
        assertRefused("[\"byte\",200]", "byte");
        assertRefused("[\"short\",40000]", "short");
        assertRefused("[\"double\",\"1.5\"]", "NaN");
        assertRefused("[\"char\",\"ab\"]", "char");
        assertRefused("[\"bigdec\",\"1,5\"]", "bigdec");
        assertRefused("[\"instant\",\"yesterday\"]", "instant");
        assertRefused("[\"int\",1,2]", "end of");
        assertRefused("[\"int\",1]]", "");
        assertRefused("\"a\" \"b\"", "after");
        assertRefused("[\"byte[]\",\"not base64!\"]", "");
        assertRefused("[\"ser\",\"io.memsession.codecfixtures.Cart\",\"bm90IGEgc3RyZWFt\"]", "Cart");
        assertRefused("[\"treeset\",[[\"int\",1],\"a\"]]", "");
        assertRefused("[\"concmap\",{\"k\":null}]", "");
        assertRefused("[\"list\",[\"a\"", "");
        assertRefused("", "");
        assertRefused("\u0000\u0001garbage", "");
        assertThrows(UnreadableSessionException.class, () -> codec.decode(new byte[] {(byte) 0xff, (byte) 0xfe}));
        StringBuilder deep = new StringBuilder();
        for (int i = 0; i < 150; i++) {
            deep.append("[\"list\",[");
        }
        assertRefused(deep.toString(), "");
    }

    // ------------------------------------------------------------------ hostile stored data is bounded in CPU

    /** Parsing a BigInteger is quadratic in its digits: a million digits would cost seconds per load. */
    @Test
    void hugeBigNumberTexts_areRefusedBeforeTheyAreParsed_andTheWriterRefusesThemToo() {
        String digits = "7".repeat(1_000_000);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertRefused("[\"bigint\",\"" + digits + "\"]", "bigint", "1000 digits");
            assertRefused("[\"bigdec\",\"" + digits + ".5\"]", "bigdec", "1000 digits");
        });
        BigInteger largest = new BigInteger("9".repeat(990));
        assertExactRoundTrip(largest);
        assertExactRoundTrip(new BigDecimal(largest, 400));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> codec.checkStorable(BigInteger.ONE.shiftLeft(5_000)));
        assertMentions(e, "BigInteger", "bits");
        assertThrows(IllegalArgumentException.class,
                () -> codec.checkStorable(new BigDecimal(BigInteger.ONE.shiftLeft(5_000), 2)));
    }

    /**
     * Thousands of list keys that share one hash code make each insert into a HashMap scan all the
     * others (35 s for 30,000 before the bound): refused after the bound, fast.
     */
    @Test
    void hashedMapsAndSets_withManyUnorderedKeys_areRefusedFast_andTheWriterRefusesThemToo() {
        int n = 30_000;
        StringBuilder map = new StringBuilder("[\"map\",[");
        StringBuilder set = new StringBuilder("[\"set\",[");
        for (int i = 0; i < n; i++) {
            // [i, 1_000_000 - 31 * i] all hash to 31 * (31 + i) + (1_000_000 - 31 * i): one bucket
            String key = "[\"list\",[[\"int\"," + i + "],[\"int\"," + (1_000_000 - 31 * i) + "]]]";
            map.append(i == 0 ? "" : ",").append("[").append(key).append(",true]");
            set.append(i == 0 ? "" : ",").append(key);
        }
        String hostileMap = map.append("]]").toString();
        String hostileSet = set.append("]]").toString();
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertRefused(hostileMap, "no natural order");
            assertRefused(hostileSet, "no natural order");
        });

        Map<Object, Object> tooMany = new HashMap<>();
        for (int i = 0; i <= TypedValueWriter.MAX_UNORDERED_HASHED_KEYS; i++) {
            tooMany.put(List.of(i), i);
        }
        assertMentions(assertThrows(IllegalArgumentException.class, () -> codec.checkStorable(tooMany)),
                "no natural order");
        tooMany.remove(List.of(0));
        assertEquals(tooMany, roundTrip(tooMany), "the largest allowed map of list keys reads back");
        Map<String, Integer> manyStrings = new HashMap<>();
        for (int i = 0; i < 5_000; i++) {
            manyStrings.put("k" + i, i);
        }
        assertEquals(manyStrings, roundTrip(manyStrings), "string keys have no such bound");
    }

    /** The reading filter's reference and array bounds, applied when an application object is encoded. */
    @Test
    void javaSerializedGraphsBeyondTheReadersBounds_areRefusedWhenEncoded() {
        IllegalArgumentException array = assertThrows(IllegalArgumentException.class,
                () -> codec.encode(new Box(new byte[(int) TypeAllowList.MAX_ARRAY_LENGTH + 1])));
        assertMentions(array, "Box", "array of 1000001 elements");
        List<Object> many = new ArrayList<>();
        for (int i = 0; i <= TypeAllowList.MAX_REFERENCES; i++) {
            many.add(new Box(null));
        }
        IllegalArgumentException objects = assertThrows(IllegalArgumentException.class,
                () -> codec.encode(new Box(many)));
        assertMentions(objects, "more than 100000 objects");
        Box largest = (Box) roundTrip(new Box(new byte[(int) TypeAllowList.MAX_ARRAY_LENGTH]));
        assertEquals(TypeAllowList.MAX_ARRAY_LENGTH, ((byte[]) largest.content()).length, "the largest array reads back");
    }

    /** Every document is bounded in tokens, whatever shape spends them. */
    @Test
    void documentsOfMoreTokensThanTheBound_areRefused() {
        StringBuilder json = new StringBuilder("[\"list\",[");
        for (int i = 0; i < 700_000; i++) {
            json.append(i == 0 ? "" : ",").append("[\"int\",1]");
        }
        String huge = json.append("]]").toString();
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertRefused(huge, "Token count"));
    }

    @Test
    void isImmutable() {
        for (Object value : Arrays.asList(null, "s", 1, 1L, 'c', true, 1.5, 1.5f, (byte) 1, (short) 1,
                BigDecimal.ONE, BigInteger.TEN, UUID.randomUUID(), Instant.now(), LocalDate.now(), Duration.ZERO,
                Period.ZERO, Year.of(1), ZoneOffset.UTC, ZoneId.of("Europe/Paris"), ZonedDateTime.now(),
                TimeUnit.DAYS, Color.BLUE)) {
            assertTrue(AttributeCodec.isImmutable(value), String.valueOf(value));
        }
        for (Object value : List.of(new Date(), new ArrayList<>(), List.of(), new int[0], new String[0], CART,
                new StringBuilder(), new AtomicLong(), new BigDecimal("1") {
                })) {
            assertFalse(AttributeCodec.isImmutable(value), value.getClass().getName());
        }
    }

    @Test
    void decodedValuesAreIndependentCopies() {
        byte[] encoded = codec.encode(new ArrayList<>(List.of("a")));
        @SuppressWarnings("unchecked")
        List<Object> first = (List<Object>) codec.decode(encoded);
        first.add("b");
        assertEquals(List.of("a"), codec.decode(encoded));
        assertInstanceOf(ArrayList.class, first);
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    private Object roundTrip(Object value) {
        codec.checkStorable(value);
        return codec.decode(codec.encode(value));
    }

    private void assertExactRoundTrip(Object value) {
        Object back = roundTrip(value);
        assertEquals(value.getClass(), back.getClass(), () -> "class of " + value);
        assertEquals(value, back);
    }

    private String json(Object value) {
        return new String(codec.encode(value), UTF_8);
    }

    private void assertRefused(String json, String... fragments) {
        UnreadableSessionException e = assertThrows(UnreadableSessionException.class,
                () -> codec.decode(json.getBytes(UTF_8)), json);
        assertMentions(e, fragments);
    }

    private static void assertMentions(Exception e, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(fragment),
                    () -> "expected \"" + fragment + "\" in: " + e.getMessage());
        }
    }

    private static String javaSerialized(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }
}
