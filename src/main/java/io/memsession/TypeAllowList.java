package io.memsession;

import java.io.ObjectInputFilter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The application classes a deployer allows in sessions (init-param {@value #INIT_PARAM}), and the
 * deserialization filter derived from them.
 *
 * <p>Session data lives outside the JVM, so anyone who can write to memcached controls the bytes we read.
 * Only classes named here (plus a fixed set of JDK value classes) are ever instantiated from Java
 * serialization; everything else is rejected, which closes off deserialization gadget chains.
 */
final class TypeAllowList {

    /** The servlet init-param holding the allow-list specification. */
    static final String INIT_PARAM = "allowedClasses";

    static final int MAX_DEPTH = 20;
    static final long MAX_REFERENCES = 100_000;
    static final long MAX_BYTES = 8L * 1024 * 1024;
    static final long MAX_ARRAY_LENGTH = 1_000_000;

    /** Namespaces a wildcard may not cover: they hold the classic gadget classes. */
    private static final List<String> JDK_NAMESPACES = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.");
    /**
     * Namespaces that the JDK ships classes under besides its own: a wildcard may not cover them either,
     * nor any package above one of them (e.g. {@code com.*} covers {@code com.sun.*} and
     * {@code com.oracle.*}, {@code org.*} covers {@code org.w3c.*}).
     */
    private static final List<String> PLATFORM_NAMESPACES = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.",
            "com.oracle.", "org.w3c.", "org.xml.", "org.ietf.", "org.omg.", "org.jcp.", "netscape.");

    /** JDK classes that application objects commonly hold as fields and that are safe to deserialize. */
    private static final Set<String> JDK_SERIAL_CLASSES = Set.of(
            "java.lang.String", "java.lang.Boolean", "java.lang.Character", "java.lang.Byte",
            "java.lang.Short", "java.lang.Integer", "java.lang.Long", "java.lang.Float", "java.lang.Double",
            "java.lang.Number", "java.lang.Enum",
            "java.math.BigDecimal", "java.math.BigInteger",
            "java.util.ArrayList", "java.util.LinkedList", "java.util.Arrays$ArrayList",
            "java.util.HashMap", "java.util.LinkedHashMap", "java.util.TreeMap",
            "java.util.HashSet", "java.util.LinkedHashSet", "java.util.TreeSet",
            "java.util.Date", "java.util.UUID", "java.util.Locale", "java.util.CollSer",
            "java.util.Collections$EmptyList", "java.util.Collections$EmptySet", "java.util.Collections$EmptyMap",
            "java.util.Collections$SingletonList", "java.util.Collections$SingletonSet",
            "java.util.Collections$SingletonMap",
            "java.time.Ser", "java.time.Instant", "java.time.LocalDate", "java.time.LocalTime",
            "java.time.LocalDateTime", "java.time.OffsetDateTime", "java.time.OffsetTime",
            "java.time.ZonedDateTime", "java.time.Duration", "java.time.Period", "java.time.Year",
            "java.time.YearMonth", "java.time.MonthDay", "java.time.ZoneId", "java.time.ZoneOffset",
            "java.time.ZoneRegion");

    /** Families of JDK collection wrappers whose members are all plain containers. */
    private static final List<String> JDK_SERIAL_PREFIXES =
            List.of("java.util.ImmutableCollections$", "java.util.Collections$Unmodifiable");

    private static final String SYNTAX_HELP = "expected fully-qualified class names (com.acme.Cart,"
            + " com.acme.Outer$Inner) or package wildcards (com.acme.model.* covers that package and its"
            + " subpackages), separated by commas or whitespace";

    private final Set<String> classNames;
    /** Wildcard packages, each stored with its trailing dot so that prefix matching stops at a segment. */
    private final List<String> packagePrefixes;
    private final ObjectInputFilter filter;

    private TypeAllowList(Set<String> classNames, List<String> packagePrefixes) {
        this.classNames = Collections.unmodifiableSet(new LinkedHashSet<>(classNames));
        this.packagePrefixes = List.copyOf(packagePrefixes);
        this.filter = this::check;
    }

    /** Whether no application class is allowed at all. */
    boolean isEmpty() {
        return classNames.isEmpty() && packagePrefixes.isEmpty();
    }

    /**
     * Parses the deployer's specification.
     *
     * @param spec entries separated by commas and/or whitespace; null or blank allows no application class
     * @throws IllegalArgumentException naming {@value #INIT_PARAM} and the bad entry
     */
    static TypeAllowList parse(String spec) {
        Set<String> classNames = new LinkedHashSet<>();
        List<String> packagePrefixes = new ArrayList<>();
        if (spec != null) {
            for (String entry : spec.trim().split("[,\\s]+")) {
                if (entry.isEmpty()) {
                    continue;
                }
                if (entry.endsWith(".*")) {
                    String pkg = entry.substring(0, entry.length() - 2);
                    requireQualifiedName(spec, entry, pkg);
                    String covered = pkg + ".";
                    for (String namespace : PLATFORM_NAMESPACES) {
                        if (covered.startsWith(namespace) || namespace.startsWith(covered)) {
                            throw SessionConfig.invalid(SessionConfig.Param.ALLOWED_CLASSES, spec, "no wildcard"
                                    + " over or above a JDK namespace (java, javax, jdk, sun, com.sun, com.oracle,"
                                    + " org.w3c, org.xml, org.ietf, org.omg, org.jcp, netscape): '" + entry
                                    + "' covers " + namespace + "*; list the classes you need individually, e.g."
                                    + " java.net.URL, or name your own package, e.g. com.acme.model.*");
                        }
                    }
                    packagePrefixes.add(pkg + ".");
                } else {
                    requireQualifiedName(spec, entry, entry);
                    classNames.add(entry);
                }
            }
        }
        return new TypeAllowList(classNames, packagePrefixes);
    }

    private static void requireQualifiedName(String spec, String entry, String name) {
        boolean valid = !name.isEmpty();
        for (String segment : name.split("\\.", -1)) {
            valid &= isJavaIdentifier(segment);
        }
        if (!valid) {
            throw SessionConfig.invalid(SessionConfig.Param.ALLOWED_CLASSES, spec,
                    SYNTAX_HELP + " ('" + entry + "' is none of these)");
        }
    }

    private static boolean isJavaIdentifier(String segment) {
        if (segment.isEmpty() || !Character.isJavaIdentifierStart(segment.charAt(0))) {
            return false;
        }
        for (int i = 1; i < segment.length(); i++) {
            if (!Character.isJavaIdentifierPart(segment.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Whether the deployer allowed this class, by its exact name or by a package wildcard. */
    boolean allowsApplicationClass(String className) {
        if (className == null) {
            return false;
        }
        if (classNames.contains(className)) {
            return true;
        }
        for (String prefix : packagePrefixes) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a class may appear in a Java-serialized value: the rule behind {@link #objectInputFilter()},
     * shared with the writer so that anything written can be read back.
     */
    boolean allowsSerializedClass(Class<?> cls) {
        Class<?> element = cls;
        while (element.isArray()) {
            element = element.getComponentType();
        }
        if (element.isPrimitive() || (element == Object.class && element != cls)) {
            return true;
        }
        String name = element.getName();
        if (JDK_SERIAL_CLASSES.contains(name) || isJdkEnum(element)) {
            return true;
        }
        for (String prefix : JDK_SERIAL_PREFIXES) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return allowsApplicationClass(name);
    }

    /**
     * The filter for reading Java-serialized application objects: allows exactly
     * {@link #allowsSerializedClass(Class)}, rejects every other class, and bounds depth, references, stream
     * size and array length. Built once; stateless and thread-safe.
     */
    ObjectInputFilter objectInputFilter() {
        return filter;
    }

    private ObjectInputFilter.Status check(ObjectInputFilter.FilterInfo info) {
        if (info.depth() > MAX_DEPTH || info.references() > MAX_REFERENCES
                || info.streamBytes() > MAX_BYTES || info.arrayLength() > MAX_ARRAY_LENGTH) {
            return ObjectInputFilter.Status.REJECTED;
        }
        Class<?> cls = info.serialClass();
        if (cls == null) {
            // A pure limits check (e.g. a back-reference), and the limits passed.
            return ObjectInputFilter.Status.ALLOWED;
        }
        return allowsSerializedClass(cls) ? ObjectInputFilter.Status.ALLOWED : ObjectInputFilter.Status.REJECTED;
    }

    /** Enums of the JDK itself: safe to resolve by name because enum deserialization only looks up a constant. */
    static boolean isJdkEnum(Class<?> cls) {
        return cls.isEnum() && cls.getName().startsWith("java.");
    }

    static boolean isJdkClassName(String className) {
        for (String namespace : JDK_NAMESPACES) {
            if (className.startsWith(namespace)) {
                return true;
            }
        }
        return false;
    }

    /** Advice for an error message: how the deployer would allow this class. */
    static String howToAllow(String className) {
        int lastDot = className.lastIndexOf('.');
        if (lastDot < 0 || isJdkClassName(className)) {
            return "add \"" + className + "\" to the init-param " + INIT_PARAM;
        }
        return "add \"" + className + "\" (or its package, \"" + className.substring(0, lastDot)
                + ".*\") to the init-param " + INIT_PARAM;
    }

    @Override
    public String toString() {
        List<String> entries = new ArrayList<>(classNames);
        packagePrefixes.forEach(prefix -> entries.add(prefix + "*"));
        return INIT_PARAM + entries;
    }
}
