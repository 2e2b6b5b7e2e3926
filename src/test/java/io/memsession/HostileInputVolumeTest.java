package io.memsession;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.memsession.codecfixtures.Forbidden;
import io.memsession.codecfixtures.Tripwire;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * Hostile stored documents and cookie values by the thousand, from a seed printed on failure (rerun with
 * {@code -Dmemsession.fuzz.seed=N}): every case ends as a session, or as "unreadable", never as another
 * exception, within a time bound, and no class outside the allow-list is ever instantiated.
 */
class HostileInputVolumeTest {

    private static final int CASES = 5_000;
    private static final long MAX_NANOS_PER_CASE = 2_000_000_000L;

    private final AttributeCodec attributeCodec = new AttributeCodec(TypeAllowList.parse(
            "io.memsession.codecfixtures.Cart io.memsession.codecfixtures.Color io.memsession.codecfixtures.Box"));
    private final SessionCodec codec = new SessionCodec(attributeCodec);
    private final long seed = Long.getLong("memsession.fuzz.seed", System.nanoTime());
    private final SplittableRandom random = new SplittableRandom(seed);

    /** Pieces a mutation splices in: tags, gadget class names, huge numbers, deep nesting, odd bytes. */
    private static final List<String> FRAGMENTS = List.of(
            "[\"ser\",\"io.memsession.codecfixtures.Forbidden\",\"" + forbiddenBase64() + "\"]",
            "[\"ser\",\"io.memsession.codecfixtures.Box\",\"" + forbiddenInABoxBase64() + "\"]",
            "[\"enum\",\"io.memsession.codecfixtures.SecretEnum\",\"A\"]",
            "[\"ser\",\"com.sun.rowset.JdbcRowSetImpl\",\"rO0ABQ==\"]",
            "[\"array\",\"io.memsession.codecfixtures.Forbidden\",[null]]",
            "[\"bigint\",\"" + "9".repeat(5_000) + "\"]",
            "[\"bigdec\",\"1e999999999\"]",
            "[\"int\",99999999999999999999]",
            "[\"double\",\"NaN\"]",
            "[\"list\",[".repeat(150) + "]]".repeat(150),
            "[\"map\",[[[\"list\",[]],1],[[\"list\",[]],2]]]",
            "[\"treeset\",[[\"int\",1],\"x\"]]",
            "[\"byte[]\",\"!!!not base64\"]",
            "[\"no-such-tag\",1]",
            "\"\\uD800\"",
            "{\"v\":99}",
            "\u0000\u00ff\ufffe",
            "\"x\":" + "[".repeat(2_000),
            "\"" + "a".repeat(60_000) + "\":1");

    @Test
    void mutatedStoredDocuments_endAsASessionOrUnreadable_inBoundedTime_andInstantiateNothingForbidden() {
        int forbiddenBefore = Tripwire.FORBIDDEN_READS.get();
        int enumBefore = Tripwire.SECRET_ENUM_INITIALIZATIONS.get();
        List<byte[]> seeds = List.of(validDocument(), codec.encode(new SessionRecord("s-1", 1, 2, 60, Map.of())));
        int unreadable = 0;
        for (int i = 0; i < CASES; i++) {
            byte[] document = mutate(seeds.get(random.nextInt(seeds.size())));
            long started = System.nanoTime();
            try {
                SessionRecord record = codec.decode(document);
                for (byte[] value : record.attributes().values()) {
                    try {
                        attributeCodec.decode(value);
                    } catch (UnreadableSessionException e) {
                        unreadable++; // one attribute left out, as SessionRepository does
                    }
                }
            } catch (UnreadableSessionException e) {
                unreadable++;
            } catch (RuntimeException | StackOverflowError e) {
                fail("seed " + seed + ", case " + i + ": " + e + " for " + preview(document), e);
            }
            long took = System.nanoTime() - started;
            if (took > MAX_NANOS_PER_CASE) {
                fail("seed " + seed + ", case " + i + " took " + took / 1_000_000 + " ms: " + preview(document));
            }
        }
        assertEquals(forbiddenBefore, Tripwire.FORBIDDEN_READS.get(), "seed " + seed + ": a gadget was deserialized");
        assertEquals(enumBefore, Tripwire.SECRET_ENUM_INITIALIZATIONS.get(), "seed " + seed + ": an enum was loaded");
        assertTrue(unreadable > CASES / 10, "seed " + seed + ": the mutations should mostly break documents: "
                + unreadable);
    }

    @Test
    void randomCookieValues_areWellFormedOnlyWhenTheyHaveTheIdShape() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < CASES; i++) {
            int length = random.nextInt(5) == 0 ? 32 : random.nextInt(200);
            StringBuilder value = new StringBuilder(length);
            boolean shaped = length == 32;
            for (int c = 0; c < length; c++) {
                char ch = random.nextInt(4) == 0 ? (char) random.nextInt(0x10000)
                        : alphabet.charAt(random.nextInt(alphabet.length()));
                shaped &= alphabet.indexOf(ch) >= 0;
                value.append(ch);
            }
            assertEquals(shaped, SessionIds.isWellFormed(value.toString()),
                    () -> "seed " + seed + ": " + value.toString().chars().limit(40).mapToObj(Integer::toHexString).toList());
        }
    }

    private byte[] mutate(byte[] original) {
        byte[] bytes = original.clone();
        switch (random.nextInt(5)) {
            case 0 -> { // flip a few bits
                for (int n = 1 + random.nextInt(5); n > 0; n--) {
                    bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                }
                return bytes;
            }
            case 1 -> { // truncate
                return java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
            }
            default -> { // splice a hostile fragment into an attribute value, a name or anywhere
                String text = new String(bytes, UTF_8);
                String fragment = FRAGMENTS.get(random.nextInt(FRAGMENTS.size()));
                int at = text.indexOf("\"attrs\":{");
                String spliced = random.nextBoolean() && at >= 0
                        ? text.substring(0, at + 9) + "\"h\":" + fragment + "," + text.substring(at + 9)
                        : insertAt(text, random.nextInt(text.length() + 1), fragment);
                return spliced.getBytes(UTF_8);
            }
        }
    }

    private static String insertAt(String text, int at, String fragment) {
        return text.substring(0, at) + fragment + text.substring(at);
    }

    private byte[] validDocument() {
        return ("{\"v\":1,\"id\":\"s-1\",\"created\":1700000000000,\"accessed\":1700000001234,\"maxInactive\":1800,"
                + "\"attrs\":{\"a\":[\"list\",[[\"int\",1],[\"map\",{\"k\":[\"long\",2]}]]],\"b\":\"text\","
                + "\"c\":[\"enum\",\"io.memsession.codecfixtures.Color\",\"RED\"],\"d\":[\"bigdec\",\"1.50\"],"
                + "\"e\":[\"linkedmap\",[[[\"int\",1],[\"set\",[\"x\"]]]]]}}").getBytes(UTF_8);
    }

    private static String preview(byte[] document) {
        String text = new String(document, UTF_8);
        return text.length() > 200 ? text.substring(0, 200) + "…(" + text.length() + " chars)" : text;
    }

    private static String forbiddenBase64() {
        return base64Of(new Forbidden());
    }

    private static String forbiddenInABoxBase64() {
        return base64Of(new io.memsession.codecfixtures.Box(new Forbidden()));
    }

    private static String base64Of(Object value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }
}
