package io.memsession;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.Deflater;

import org.junit.jupiter.api.Test;

/** The compressed document form: round trip, marker, bounded inflate, corruption ends as "unreadable". */
class DocumentCompressionTest {

    private final AttributeCodec attributeCodec = new AttributeCodec(TypeAllowList.parse(null));
    private final SessionCodec compressing = new SessionCodec(attributeCodec, new DocumentCompression(1024));
    private final SessionCodec plain = new SessionCodec(attributeCodec);

    private SessionRecord record(int textLength) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < textLength; i++) {
            text.append("line ").append(i).append(" of a long and repetitive report; ");
        }
        return new SessionRecord("Q2xk3v0E8p4hN1mS7yXcVt9aB6uJ5wRz", 1_700_000_000_000L, 1_700_000_001_000L, 1800,
                Map.of("report", attributeCodec.encode(text.toString()), "n", attributeCodec.encode(7)));
    }

    @Test
    void largeDocument_isStoredCompressedWithItsMarker_andReadBackByANodeThatDoesNotCompress() {
        SessionRecord record = record(20_000);
        byte[] json = compressing.encode(record);
        byte[] stored = compressing.forStorage(json);
        assertEquals("MSz1", new String(stored, 0, 4, US_ASCII));
        assertTrue(stored.length < json.length / 3, stored.length + " bytes from " + json.length);
        SessionRecord back = plain.decode(stored);
        assertArrayEquals(json, plain.encode(back), "the same document, whatever the reader's own setting");
        assertArrayEquals(stored, compressing.forStorage(compressing.encode(compressing.decode(stored))),
                "compressing is deterministic, so the decoded-session cache recognises its own writes");
    }

    @Test
    void documentAtOrBelowTheThreshold_staysPlain_andPlainDocumentsStayReadable() {
        byte[] small = compressing.encode(record(100));
        assertSame(small, compressing.forStorage(small));
        assertEquals('{', (char) small[0]);
        assertArrayEquals(small, compressing.encode(compressing.decode(small)));
        byte[] large = plain.encode(record(20_000));
        assertSame(large, plain.forStorage(large), "off: never compressed");
        assertArrayEquals(large, compressing.encode(compressing.decode(large)), "an old plain document is read");
    }

    @Test
    void documentThatWouldNotShrink_isStoredAsItIs() {
        byte[] random = new byte[30_000];
        new java.util.SplittableRandom(3).nextBytes(random);
        byte[] incompressible = DocumentCompression.compress(random, Deflater.BEST_COMPRESSION);
        assertSame(incompressible, new DocumentCompression(16).forStorage(incompressible));
    }

    @Test
    void zipBomb_declaringLittle_isUnreadable_afterInflatingNoMoreThanItDeclared() {
        byte[] bomb = bomb(1_000, 50_000_000);
        assertTrue(bomb.length < 100_000, "50 MB of zeros deflate to " + bomb.length + " bytes");
        long started = System.nanoTime();
        UnreadableSessionException e = assertThrows(UnreadableSessionException.class, () -> plain.decode(bomb));
        assertTrue(e.getMessage().contains("more than the 1000 bytes it declares"), e.getMessage());
        assertTrue(System.nanoTime() - started < 1_000_000_000L, "stopped at the declared length");
    }

    @Test
    void zipBomb_declaringMoreThanAnyNodeInflates_isUnreadable_beforeInflating() {
        byte[] bomb = bomb(DocumentCompression.MAX_INFLATED_BYTES + 1, 10_000);
        UnreadableSessionException e = assertThrows(UnreadableSessionException.class, () -> plain.decode(bomb));
        assertTrue(e.getMessage().contains("at most " + DocumentCompression.MAX_INFLATED_BYTES), e.getMessage());
        assertThrows(UnreadableSessionException.class, () -> plain.decode(bomb(-5, 10)));
    }

    @Test
    void everyFlippedBit_andEveryTruncation_ofACompressedDocument_isUnreadable_orTheSameSession() {
        byte[] json = compressing.encode(record(3_000));
        byte[] stored = compressing.forStorage(json);
        assertTrue(DocumentCompression.isCompressed(stored));
        int harmless = 0;
        for (int bit = 0; bit < stored.length * 8; bit++) {
            byte[] flipped = stored.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            try {
                // the padding bits that end a deflate stream are ignored: then the content is intact
                assertArrayEquals(json, plain.encode(plain.decode(flipped)), "bit " + bit + " changed the session");
                harmless++;
            } catch (UnreadableSessionException expected) {
                // the checksum or the declared length caught it
            }
        }
        assertTrue(harmless < 8, harmless + " flips of " + stored.length * 8 + " went unnoticed");
        for (int length = 0; length < stored.length; length++) {
            expectUnreadable(Arrays.copyOf(stored, length), "truncated to " + length);
        }
        byte[] longer = Arrays.copyOf(stored, stored.length + 1);
        expectUnreadable(longer, "a byte after the stream");
    }

    private void expectUnreadable(byte[] document, String what) {
        try {
            plain.decode(document);
            fail(what + ": read as a session");
        } catch (UnreadableSessionException expected) {
            // the one outcome allowed
        } catch (RuntimeException e) {
            fail(what + ": " + e, e);
        }
    }

    /** A compressed document holding {@code zeros} zero bytes that says it holds {@code declared}. */
    private static byte[] bomb(int declared, int zeros) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("MSz1".getBytes(US_ASCII));
        out.writeBytes(ByteBuffer.allocate(4).putInt(declared).array());
        byte[] chunk = new byte[1 << 20];
        byte[] buffer = new byte[1 << 16];
        for (int left = zeros; left > 0; left -= chunk.length) {
            deflater.setInput(chunk, 0, Math.min(chunk.length, left));
            while (!deflater.needsInput()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
        }
        deflater.finish();
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        return out.toByteArray();
    }
}
