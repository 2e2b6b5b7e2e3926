package io.memsession;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.ZoneId;
import java.time.temporal.TemporalAccessor;
import java.time.temporal.TemporalAmount;
import java.util.Set;
import java.util.UUID;

/**
 * Converts one session attribute value to and from UTF-8 JSON that keeps its exact Java type.
 *
 * <p>Format: a {@code String} is a bare JSON string, a {@code Boolean} is {@code true}/{@code false},
 * {@code null} is {@code null}; every other value is a JSON array {@code ["tag", payload...]}:
 * <pre>
 * ["int",42] ["long",42] ["short",7] ["byte",-1] ["double",1.5] ["double","NaN"] ["float",0.1]
 * ["char","x"] ["bigdec","1.50"] ["bigint","123456789012345678901234567890"] ["date",1700000000000]
 * ["instant","2024-05-01T10:15:30.123456789Z"] ["localdate","2024-05-01"] ["localtime","10:15:30"]
 * ["localdatetime","2024-05-01T10:15"] ["offsetdatetime","2024-05-01T10:15+02:00"]
 * ["offsettime","10:15+02:00"] ["zoneddatetime","2024-05-01T10:15+02:00[Europe/Paris]"]
 * ["duration","PT1H30M"] ["period","P1Y2M3D"] ["year",2024] ["yearmonth","2024-05"]
 * ["monthday","--05-01"] ["zone","Europe/Paris"] ["zone","+02:00"] ["uuid","0f8fad5b-d9cb-..."]
 * ["enum","java.util.concurrent.TimeUnit","SECONDS"]
 * ["byte[]","AAEC/w=="] ["char[]","secret"] ["int[]",[1,2]] (also short[], long[], float[], double[], boolean[])
 * ["array","java.lang.String",["a",null]] ["array","int[]",[["int[]",[1]]]]
 * ["list",["a",["int",1]]] ["linkedlist",[...]] ["ulist",[...]]
 * ["set",[...]] ["linkedset",[...]] ["treeset",[...]] ["uset",[...]]
 * ["map",{"k":["int",1]}] ["map",[[["int",1],"one"],[null,"x"]]]   (object when all keys are strings)
 * also "linkedmap", "treemap", "concmap", "umap"
 * ["ser","com.acme.Cart","rO0ABXNy..."]   (allow-listed Serializable class, Java serialization in base64)
 * </pre>
 * Unmodifiable lists, sets and maps ({@code List.of}, {@code Collections.unmodifiable*}, ...) come back as
 * {@code Collections.unmodifiable*} views keeping their order.
 *
 * <p>Reading never instantiates a class outside the {@link TypeAllowList}. Thread-safe.
 */
final class AttributeCodec {

    /** Classes whose instances cannot change after construction; all final, so exact-class checks suffice. */
    private static final Set<Class<?>> IMMUTABLE_CLASSES = Set.of(String.class, Boolean.class, Character.class,
            Byte.class, Short.class, Integer.class, Long.class, Float.class, Double.class,
            BigDecimal.class, BigInteger.class, UUID.class);

    /** Bounds what one stored document may cost to parse, whatever it holds (see TypedValueWriter's limits). */
    private final JsonFactory jsonFactory = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxTokenCount(TypedValueWriter.MAX_TOKENS).build())
            .build();
    private final TypedValueWriter writer;
    private final TypedValueReader reader;

    AttributeCodec(TypeAllowList allowList) {
        this.writer = new TypedValueWriter(allowList);
        this.reader = new TypedValueReader(allowList);
    }

    /**
     * Fails fast, typically in {@code setAttribute}, for a value that {@link #encode} would refuse; walks
     * arrays, collections and maps. Does not serialize application objects, so a non-serializable field
     * inside one is only reported by {@link #encode}.
     *
     * @throws IllegalArgumentException naming the offending class and how to allow it
     */
    void checkStorable(Object value) {
        writer.check(value);
    }

    /**
     * @return the value as UTF-8 JSON
     * @throws IllegalArgumentException if the value (or anything inside it) cannot be stored
     */
    byte[] encode(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        try (JsonGenerator gen = jsonFactory.createGenerator(out, JsonEncoding.UTF8)) {
            writer.write(gen, value);
        } catch (IOException e) {
            // Nothing here does real I/O: the output is in memory, and serialization failures are reported
            // as IllegalArgumentException by the writer.
            throw new UncheckedIOException("Cannot encode a session attribute value", e);
        }
        return out.toByteArray();
    }

    /**
     * @param json one value as produced by {@link #encode}
     * @throws UnreadableSessionException if the JSON is malformed, uses an unknown tag, or names a class
     *     that is missing or not allowed, or Java-serialized data is rejected
     */
    Object decode(byte[] json) {
        try (JsonParser p = jsonFactory.createParser(json)) {
            Object value = reader.read(p);
            if (p.nextToken() != null) {
                throw new UnreadableSessionException("Unexpected content after a session attribute value at byte "
                        + p.currentTokenLocation().getByteOffset());
            }
            return value;
        } catch (UnreadableSessionException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Parse errors, number overflow, bad base64, an element a TreeSet cannot compare...
            throw new UnreadableSessionException("Unreadable session attribute value: " + e.getMessage(), e);
        }
    }

    /**
     * Whether the value cannot be changed in place, so a session attribute holding it needs no change
     * detection: null, strings, boxed primitives, BigDecimal/BigInteger, UUID, java.time values, enums.
     */
    static boolean isImmutable(Object value) {
        if (value == null || value instanceof Enum<?> || IMMUTABLE_CLASSES.contains(value.getClass())) {
            return true;
        }
        // Every public java.time value class is final and immutable; ZoneId's subclasses are JDK-internal.
        return value.getClass().getPackageName().equals("java.time")
                && (value instanceof TemporalAccessor || value instanceof TemporalAmount || value instanceof ZoneId);
    }

    /** The factory shared with {@link SessionCodec}; JsonFactory is thread-safe once configured. */
    JsonFactory jsonFactory() {
        return jsonFactory;
    }

    /**
     * Loads a class without initializing it, from the thread context class loader (where a web application's
     * classes are) and failing that from the loader of memsession itself.
     */
    static Class<?> loadClass(String className) throws ClassNotFoundException {
        ClassLoader contextLoader = Thread.currentThread().getContextClassLoader();
        if (contextLoader != null) {
            try {
                return Class.forName(className, false, contextLoader);
            } catch (ClassNotFoundException e) {
                // fall through to our own loader
            }
        }
        return Class.forName(className, false, AttributeCodec.class.getClassLoader());
    }
}
