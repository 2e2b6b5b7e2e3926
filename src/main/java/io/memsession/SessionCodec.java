package io.memsession;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Converts a {@link SessionRecord} to and from the document stored in memcached:
 * <pre>
 * {"v":1,"id":"...","created":&lt;ms&gt;,"accessed":&lt;ms&gt;,"maxInactive":&lt;s&gt;,"attrs":{"name":&lt;value&gt;,...}}
 * </pre>
 * Attribute values stay in their encoded form (see {@link AttributeCodec}) in both directions: decoding
 * copies each value's exact byte span, encoding writes those bytes back verbatim. A request that touches
 * one attribute therefore never pays for, or risks, re-serializing the others. A stored document may also
 * be compressed ({@link DocumentCompression}); {@link #decode} reads both forms. Thread-safe.
 */
final class SessionCodec {

    static final int FORMAT_VERSION = 1;

    private static final JsonStringEncoder STRING_ENCODER = JsonStringEncoder.getInstance();

    private final JsonFactory jsonFactory;
    private final DocumentCompression compression;

    SessionCodec(AttributeCodec attributeCodec) {
        this(attributeCodec, DocumentCompression.OFF);
    }

    /** @param compression what {@link #forStorage} compresses; reading takes both forms whatever it says */
    SessionCodec(AttributeCodec attributeCodec, DocumentCompression compression) {
        this.jsonFactory = attributeCodec.jsonFactory();
        this.compression = compression;
    }

    /** The bytes to store for an encoded document: compressed when it is large enough and this node compresses. */
    byte[] forStorage(byte[] document) {
        return compression.forStorage(document);
    }

    /**
     * Fewer bytes than the document of a session with this id will have before its attributes: the frame's
     * fixed text plus the id, without the digits of its times.
     */
    static int frameBytesAtLeast(String id) {
        return "{\"v\":1,\"id\":\"\",\"created\":,\"accessed\":,\"maxInactive\":,\"attrs\":{}}".length()
                + id.length();
    }

    /** Fewer bytes than an attribute with this name adds to a document besides its value: quotes and colon. */
    static int entryBytesAtLeast(String name) {
        // a char is at least one UTF-8 byte; escaping only adds
        return name.length() + 3;
    }

    /**
     * Writes the document. Attributes are written sorted by name so that equal records give equal bytes.
     *
     * @throws IllegalArgumentException if an attribute's encoded value is empty, or its name holds an unpaired
     *     surrogate (not representable as a JSON field name that Jackson reads back)
     */
    byte[] encode(SessionRecord record) {
        int size = 128;
        for (byte[] value : record.attributes().values()) {
            size += value.length + 32;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        writeAscii(out, "{\"v\":" + FORMAT_VERSION + ",\"id\":");
        writeQuoted(out, record.id());
        writeAscii(out, ",\"created\":" + record.creationTime() + ",\"accessed\":" + record.lastAccessedTime()
                + ",\"maxInactive\":" + record.maxInactiveInterval() + ",\"attrs\":{");
        String separator = "";
        for (Map.Entry<String, byte[]> attribute : new TreeMap<>(record.attributes()).entrySet()) {
            byte[] value = attribute.getValue();
            if (value.length == 0) {
                throw new IllegalArgumentException("Session attribute " + attribute.getKey() + " has no encoded value");
            }
            writeAscii(out, separator);
            writeName(out, attribute.getKey());
            out.write(':');
            out.writeBytes(value);
            separator = ",";
        }
        writeAscii(out, "}}");
        return out.toByteArray();
    }

    private static void writeAscii(ByteArrayOutputStream out, String ascii) {
        out.writeBytes(ascii.getBytes(StandardCharsets.US_ASCII));
    }

    private static void writeName(ByteArrayOutputStream out, String name) {
        byte[] quoted;
        try {
            quoted = STRING_ENCODER.quoteAsUTF8(name);
        } catch (IllegalArgumentException e) {
            // Jackson's byte parser refuses an escaped unpaired surrogate in a field name, so such a
            // name could be written but never read back.
            throw new IllegalArgumentException("Session attribute name \"" + name + "\" contains an unpaired"
                    + " UTF-16 surrogate and cannot be stored", e);
        }
        out.write('"');
        out.writeBytes(quoted);
        out.write('"');
    }

    private static void writeQuoted(ByteArrayOutputStream out, String text) {
        out.write('"');
        out.writeBytes(quoteAsUtf8(text));
        out.write('"');
    }

    private static byte[] quoteAsUtf8(String text) {
        try {
            return STRING_ENCODER.quoteAsUTF8(text);
        } catch (IllegalArgumentException unpairedSurrogate) {
            // A Java string may hold an unpaired surrogate, which UTF-8 cannot carry; escape every surrogate
            // as \\uXXXX, as JsonGenerator does for attribute values.
            StringBuilder escaped = new StringBuilder(text.length() + 16);
            for (char c : STRING_ENCODER.quoteAsString(text)) {
                if (Character.isSurrogate(c)) {
                    escaped.append(String.format("\\u%04X", (int) c));
                } else {
                    escaped.append(c);
                }
            }
            return escaped.toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    /**
     * Reads a document, plain or compressed (see {@link DocumentCompression}) whatever this node's own
     * setting. Does not check the session id: the caller compares it with the id it asked for.
     *
     * @throws UnreadableSessionException if the document is malformed, lacks a field or has another version,
     *     or is compressed and corrupt or too large to inflate
     */
    SessionRecord decode(byte[] stored) {
        byte[] document = DocumentCompression.isCompressed(stored) ? DocumentCompression.inflate(stored) : stored;
        try (JsonParser p = jsonFactory.createParser(document)) {
            SessionRecord record = readDocument(p, document);
            if (p.nextToken() != null) {
                throw malformed("content after the document", p);
            }
            return record;
        } catch (UnreadableSessionException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new UnreadableSessionException("Unreadable session document: " + e.getMessage(), e);
        }
    }

    private SessionRecord readDocument(JsonParser p, byte[] document) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw malformed("a JSON object", p);
        }
        Integer version = null;
        String id = null;
        Long created = null;
        Long accessed = null;
        Integer maxInactive = null;
        Map<String, byte[]> attributes = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "v" -> {
                    version = intField(p, value, field);
                    if (version != FORMAT_VERSION) {
                        throw new UnreadableSessionException("Unsupported session document version " + version
                                + "; this memsession reads version " + FORMAT_VERSION);
                    }
                }
                case "id" -> {
                    if (value != JsonToken.VALUE_STRING) {
                        throw malformed("a string for \"id\"", p);
                    }
                    id = p.getText();
                }
                case "created" -> created = longField(p, value, field);
                case "accessed" -> accessed = longField(p, value, field);
                case "maxInactive" -> maxInactive = intField(p, value, field);
                case "attrs" -> attributes = readAttributes(p, value, document);
                // Unknown fields are skipped so a later minor addition need not bump the version.
                default -> p.skipChildren();
            }
        }
        if (version == null || id == null || created == null || accessed == null || maxInactive == null
                || attributes == null) {
            throw new UnreadableSessionException("Session document lacks one of the fields"
                    + " v, id, created, accessed, maxInactive, attrs");
        }
        return new SessionRecord(id, created, accessed, maxInactive, attributes);
    }

    private static Map<String, byte[]> readAttributes(JsonParser p, JsonToken start, byte[] document)
            throws IOException {
        if (start != JsonToken.START_OBJECT) {
            throw malformed("an object for \"attrs\"", p);
        }
        Map<String, byte[]> attributes = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            int from = (int) p.currentTokenLocation().getByteOffset();
            // skipChildren() moves to the closing bracket of an array or object; finishToken() consumes the
            // rest of a string, which Jackson otherwise reads lazily. Either way the current location is
            // then just past the value.
            p.skipChildren();
            p.finishToken();
            int to = (int) p.currentLocation().getByteOffset();
            if (attributes.put(name, Arrays.copyOfRange(document, from, to)) != null) {
                throw new UnreadableSessionException("Session document has attribute " + name + " twice");
            }
        }
        return attributes;
    }

    private static int intField(JsonParser p, JsonToken token, String field) throws IOException {
        if (token != JsonToken.VALUE_NUMBER_INT) {
            throw malformed("an integer for \"" + field + "\"", p);
        }
        return p.getIntValue();
    }

    private static long longField(JsonParser p, JsonToken token, String field) throws IOException {
        if (token != JsonToken.VALUE_NUMBER_INT) {
            throw malformed("an integer for \"" + field + "\"", p);
        }
        return p.getLongValue();
    }

    private static UnreadableSessionException malformed(String expected, JsonParser p) {
        return new UnreadableSessionException("Malformed session document: expected " + expected + " at byte "
                + p.currentTokenLocation().getByteOffset() + ", found " + p.currentToken());
    }
}
