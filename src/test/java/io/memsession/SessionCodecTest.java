package io.memsession;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionCodecTest {

    private final AttributeCodec attributeCodec = new AttributeCodec(TypeAllowList.parse(null));
    private final SessionCodec codec = new SessionCodec(attributeCodec);

    /** Canonical form: no whitespace, fields in writing order, attributes sorted by name. */
    private static final String CANONICAL = "{\"v\":1,\"id\":\"s\u00e9ss-1\",\"created\":1700000000000,"
            + "\"accessed\":1700000001234,\"maxInactive\":1800,\"attrs\":{"
            + "\"a\":[\"list\",[[\"int\",1],[\"map\",{\"k\u00e9y\":[\"array\",\"java.lang.String\",[\"x\",null]]}]]],"
            + "\"b\":\"h\u00e9llo \u4f60\u597d \\uD83D\\uDE00 \\\"q\\\"\","
            + "\"c\":true,"
            + "\"d\":null,"
            + "\"e\":[\"long\",-42],"
            + "\"z\u00e9\":[\"bigdec\",\"1.50\"],"
            + "\"\u043a\u043b\u044e\u0447\":[\"map\",[[[\"int\",1],[\"set\",[]]]]]"
            + "}}";

    @Test
    void roundTripPreservesDocumentByteForByte() {
        byte[] document = CANONICAL.getBytes(UTF_8);
        SessionRecord record = codec.decode(document);
        assertArrayEquals(document, codec.encode(record), () -> new String(codec.encode(record), UTF_8));
    }

    @Test
    void decodeCapturesEachValuesExactBytes() {
        SessionRecord record = codec.decode(CANONICAL.getBytes(UTF_8));
        assertEquals("s\u00e9ss-1", record.id());
        assertEquals(1_700_000_000_000L, record.creationTime());
        assertEquals(1_700_000_001_234L, record.lastAccessedTime());
        assertEquals(1800, record.maxInactiveInterval());
        assertEquals(7, record.attributes().size());
        assertSpan(record, "a", "[\"list\",[[\"int\",1],[\"map\",{\"k\u00e9y\":[\"array\",\"java.lang.String\",[\"x\",null]]}]]]");
        assertSpan(record, "b", "\"h\u00e9llo \u4f60\u597d \\uD83D\\uDE00 \\\"q\\\"\"");
        assertSpan(record, "c", "true");
        assertSpan(record, "d", "null");
        assertSpan(record, "e", "[\"long\",-42]");
        assertSpan(record, "z\u00e9", "[\"bigdec\",\"1.50\"]");
        assertSpan(record, "\u043a\u043b\u044e\u0447", "[\"map\",[[[\"int\",1],[\"set\",[]]]]]");
        assertEquals("h\u00e9llo \u4f60\u597d \uD83D\uDE00 \"q\"", attributeCodec.decode(record.attributes().get("b")));
        assertEquals(new BigDecimal("1.50"), attributeCodec.decode(record.attributes().get("z\u00e9")));
    }

    @Test
    void spansAreExactForBareScalarsAndIgnoreWhitespace() {
        String document = "{ \"attrs\" : { \"n\" : 12 , \"f\":-1.5e3}, \"v\":1,\n\"id\" : \"x\",\"created\":1,"
                + "\"accessed\":2,\"maxInactive\":-1, \"future\": {\"ignored\": [1, 2]},"
                + " \"s\"  :  \"unused\", \"obj\":{} }  ";
        SessionRecord record = codec.decode(document.getBytes(UTF_8));
        assertSpan(record, "n", "12");
        assertSpan(record, "f", "-1.5e3");
        assertEquals(-1, record.maxInactiveInterval());

        String spaced = "{\"v\":1,\"id\":\"x\",\"created\":1,\"accessed\":2,\"maxInactive\":0,\"attrs\":"
                + "{ \"a\" :  [ \"int\" ,\n 7 ]  ,\"b\":\"\u00fc\"\t}}";
        SessionRecord spacedRecord = codec.decode(spaced.getBytes(UTF_8));
        assertSpan(spacedRecord, "a", "[ \"int\" ,\n 7 ]");
        assertSpan(spacedRecord, "b", "\"\u00fc\"");
        assertEquals(7, attributeCodec.decode(spacedRecord.attributes().get("a")));
    }

    @Test
    void encodeThenDecodeKeepsEverything() {
        Map<String, byte[]> attributes = new HashMap<>();
        attributes.put("user", attributeCodec.encode("ann"));
        attributes.put("cart", attributeCodec.encode(new ArrayList<>(List.of(1L, "two", new BigDecimal("3.0")))));
        attributes.put("weird \"name\"\n\u00e9\uD83D\uDE00", attributeCodec.encode(42));
        attributes.put("surrogate in value", attributeCodec.encode("v \uDC00"));
        attributes.put("", attributeCodec.encode(true));
        SessionRecord record = new SessionRecord("id-\u00e9\u0001 \uD800", 5L, 6L, 30, attributes);

        byte[] document = codec.encode(record);
        SessionRecord back = codec.decode(document);
        assertEquals(record.id(), back.id());
        assertEquals(5L, back.creationTime());
        assertEquals(6L, back.lastAccessedTime());
        assertEquals(30, back.maxInactiveInterval());
        assertEquals(attributes.keySet(), back.attributes().keySet());
        for (Map.Entry<String, byte[]> attribute : attributes.entrySet()) {
            assertArrayEquals(attribute.getValue(), back.attributes().get(attribute.getKey()), attribute.getKey());
        }
        assertEquals(List.of(1L, "two", new BigDecimal("3.0")), attributeCodec.decode(back.attributes().get("cart")));
        assertEquals("v \uDC00", attributeCodec.decode(back.attributes().get("surrogate in value")));
        assertArrayEquals(document, codec.encode(back), "encoding is deterministic");
    }

    @Test
    void emptySession() {
        SessionRecord record = new SessionRecord("abc", 1L, 2L, 60, Map.of());
        byte[] document = codec.encode(record);
        assertEquals("{\"v\":1,\"id\":\"abc\",\"created\":1,\"accessed\":2,\"maxInactive\":60,\"attrs\":{}}",
                new String(document, UTF_8));
        assertEquals(record.id(), codec.decode(document).id());
        assertTrue(codec.decode(document).attributes().isEmpty());
    }

    @Test
    void encodeRefusesAnEmptyEncodedValueAndUnreadableNames() {
        SessionRecord empty = new SessionRecord("abc", 1L, 2L, 60, Map.of("a", new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> codec.encode(empty));
        SessionRecord loneSurrogate = new SessionRecord("abc", 1L, 2L, 60, Map.of("x\uD800", attributeCodec.encode(1)));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> codec.encode(loneSurrogate)).getMessage()
                .contains("surrogate"));
    }

    @Test
    void malformedDocumentsAreUnreadable() {
        String good = "{\"v\":1,\"id\":\"x\",\"created\":1,\"accessed\":2,\"maxInactive\":3,\"attrs\":{\"a\":true}}";
        codec.decode(good.getBytes(UTF_8));
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("", "");
        bad.put("garbage", "not json");
        bad.put("binary", "\u0000\u00ff\u0001");
        bad.put("array", "[1,2]");
        bad.put("truncated", good.substring(0, good.length() - 3));
        bad.put("trailing", good + "{}");
        bad.put("version 2", good.replace("\"v\":1", "\"v\":2"));
        bad.put("version as string", good.replace("\"v\":1", "\"v\":\"1\""));
        bad.put("no version", good.replace("\"v\":1,", ""));
        bad.put("no id", good.replace("\"id\":\"x\",", ""));
        bad.put("numeric id", good.replace("\"id\":\"x\"", "\"id\":7"));
        bad.put("no created", good.replace("\"created\":1,", ""));
        bad.put("fractional created", good.replace("\"created\":1", "\"created\":1.5"));
        bad.put("no accessed", good.replace("\"accessed\":2,", ""));
        bad.put("no maxInactive", good.replace("\"maxInactive\":3,", ""));
        bad.put("maxInactive overflow", good.replace("\"maxInactive\":3", "\"maxInactive\":99999999999"));
        bad.put("no attrs", good.replace(",\"attrs\":{\"a\":true}", ""));
        bad.put("attrs array", good.replace("{\"a\":true}", "[true]"));
        bad.put("duplicate attribute", good.replace("{\"a\":true}", "{\"a\":true,\"a\":false}"));
        bad.put("broken attribute value", good.replace("{\"a\":true}", "{\"a\":[1,}"));
        for (Map.Entry<String, String> entry : bad.entrySet()) {
            assertThrows(UnreadableSessionException.class, () -> codec.decode(entry.getValue().getBytes(UTF_8)),
                    entry.getKey());
        }
        UnreadableSessionException version = assertThrows(UnreadableSessionException.class,
                () -> codec.decode(bad.get("version 2").getBytes(UTF_8)));
        assertTrue(version.getMessage().contains("version 2"), version.getMessage());
    }

    @Test
    void decodeReturnsTheStoredIdForTheCallerToCompare() {
        String other = "{\"v\":1,\"id\":\"someone-else\",\"created\":1,\"accessed\":2,\"maxInactive\":3,\"attrs\":{}}";
        assertEquals("someone-else", codec.decode(other.getBytes(UTF_8)).id());
    }

    private static void assertSpan(SessionRecord record, String name, String expected) {
        assertEquals(expected, new String(record.attributes().get(name), UTF_8), name);
    }
}
