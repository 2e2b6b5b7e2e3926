package io.memsession;

import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Compresses large session documents before they are stored, and recognises and inflates a compressed
 * document whatever this node's own setting.
 *
 * <p>A compressed document is {@code MSz1}, the length of the JSON document it holds (4 bytes, big
 * endian), then that document as a zlib stream (JDK {@link Deflater}, with its Adler-32 checksum). A
 * plain document starts with <code>{</code>, so the two never meet. Inflating is bounded twice: a
 * declared length above {@link #MAX_INFLATED_BYTES} is refused before anything is allocated, and the
 * stream must end exactly at the declared length with its checksum right; a zip bomb or a flipped bit
 * ends as {@link UnreadableSessionException}, never as a large allocation. Thread-safe.
 */
final class DocumentCompression {

    /** No document is ever compressed. */
    static final DocumentCompression OFF = new DocumentCompression(0);

    /**
     * The largest JSON document any node writes or inflates, compressed or not: the uncompressed
     * limit, four times the largest {@code maxSessionBytes}. The same on every node, so that what one
     * node writes every node reads.
     */
    static final int MAX_INFLATED_BYTES = 4 * SessionRepository.MAX_DOCUMENT_BYTES;

    /**
     * Deflate level: the fastest. Levels 6 and 9 stored 8-20 % fewer bytes for 2-4 times the time on
     * realistic sessions (docs/operations.md, "Sizing"), and a session is compressed on every write.
     */
    static final int LEVEL = Deflater.BEST_SPEED;

    private static final byte[] MAGIC = {'M', 'S', 'z', '1'};
    private static final int HEADER_BYTES = MAGIC.length + 4;

    private final int aboveBytes;

    /** @param aboveBytes documents larger than this are compressed; 0: none */
    DocumentCompression(int aboveBytes) {
        this.aboveBytes = aboveBytes;
    }

    /** Whether any document can be compressed on this node. */
    boolean isOn() {
        return aboveBytes > 0;
    }

    /** The size above which documents are compressed; 0 when off. */
    int aboveBytes() {
        return aboveBytes;
    }

    /**
     * The form of {@code document} to store: compressed when it is larger than the threshold and
     * compressing makes it smaller, else {@code document} itself.
     */
    byte[] forStorage(byte[] document) {
        if (aboveBytes == 0 || document.length <= aboveBytes) {
            return document;
        }
        byte[] compressed = compress(document, LEVEL);
        return compressed.length < document.length ? compressed : document;
    }

    static byte[] compress(byte[] document, int level) {
        Deflater deflater = new Deflater(level);
        try {
            deflater.setInput(document);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(HEADER_BYTES + document.length / 3 + 64);
            out.writeBytes(MAGIC);
            out.write(document.length >>> 24);
            out.write(document.length >>> 16);
            out.write(document.length >>> 8);
            out.write(document.length);
            byte[] buffer = new byte[8192];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    /** Whether {@code stored} is a compressed document (of any node). */
    static boolean isCompressed(byte[] stored) {
        if (stored.length < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (stored[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The JSON document a compressed one holds.
     *
     * @throws UnreadableSessionException when it is truncated, corrupt, or declares or inflates to more
     *     than {@link #MAX_INFLATED_BYTES} or other than its declared length
     */
    static byte[] inflate(byte[] stored) {
        if (stored.length < HEADER_BYTES) {
            throw new UnreadableSessionException("Compressed session document is truncated");
        }
        int declared = (stored[4] & 0xff) << 24 | (stored[5] & 0xff) << 16 | (stored[6] & 0xff) << 8
                | (stored[7] & 0xff);
        if (declared <= 0 || declared > MAX_INFLATED_BYTES) {
            throw new UnreadableSessionException("Compressed session document declares "
                    + Integer.toUnsignedString(declared) + " bytes; at most " + MAX_INFLATED_BYTES + " are inflated");
        }
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(stored, HEADER_BYTES, stored.length - HEADER_BYTES);
            byte[] document = new byte[declared];
            byte[] beyond = new byte[1];
            int length = 0;
            while (!inflater.finished()) {
                int n = length < declared ? inflater.inflate(document, length, declared - length)
                        : inflater.inflate(beyond);
                if (length == declared && n > 0) {
                    throw new UnreadableSessionException("Compressed session document inflates to more than the "
                            + declared + " bytes it declares");
                }
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new UnreadableSessionException("Compressed session document is truncated");
                }
                length += n;
            }
            if (length != declared || inflater.getRemaining() != 0) {
                throw new UnreadableSessionException("Compressed session document does not hold the " + declared
                        + " bytes it declares");
            }
            return document;
        } catch (DataFormatException e) {
            throw new UnreadableSessionException("Compressed session document is corrupt: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }
}
