package io.memsession;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memsession.codecfixtures.Box;
import io.memsession.codecfixtures.Cart;
import io.memsession.codecfixtures.Forbidden;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputFilter.Status;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TypeAllowListTest {

    @Test
    void emptySpecsAllowNoApplicationClass() {
        for (String spec : new String[] {null, "", "   ", " , ,\n"}) {
            TypeAllowList list = TypeAllowList.parse(spec);
            assertFalse(list.allowsApplicationClass("com.acme.Cart"), String.valueOf(spec));
            assertFalse(list.allowsApplicationClass(null));
        }
    }

    @Test
    void classNamesAndPackageWildcards() {
        TypeAllowList list = TypeAllowList.parse(" com.acme.Cart,com.acme.Outer$Inner\n\tcom.acme.model.* , _x.$y ");
        assertTrue(list.allowsApplicationClass("com.acme.Cart"));
        assertTrue(list.allowsApplicationClass("com.acme.Outer$Inner"));
        assertTrue(list.allowsApplicationClass("com.acme.model.Item"));
        assertTrue(list.allowsApplicationClass("com.acme.model.sub.deeper.Item$Nested"));
        assertTrue(list.allowsApplicationClass("_x.$y"));
        assertFalse(list.allowsApplicationClass("com.acme.Outer"));
        assertFalse(list.allowsApplicationClass("com.acme.CartX"));
        assertFalse(list.allowsApplicationClass("com.acme.modelx.Item"));
        assertFalse(list.allowsApplicationClass("com.acme.Other"));
        assertFalse(list.allowsApplicationClass("com.acme.model"));
        assertEquals("allowedClasses[com.acme.Cart, com.acme.Outer$Inner, _x.$y, com.acme.model.*]", list.toString());
    }

    @Test
    void jdkClassesMayBeListedIndividuallyAndSimilarlyNamedPackagesByWildcard() {
        TypeAllowList list = TypeAllowList.parse("java.net.URL com.sunny.* javax2.*");
        assertTrue(list.allowsApplicationClass("java.net.URL"));
        assertTrue(list.allowsApplicationClass("com.sunny.Thing"));
        assertTrue(list.allowsApplicationClass("javax2.Thing"));
        assertFalse(list.allowsApplicationClass("java.net.URI"));
    }

    @Test
    void malformedEntriesAreRejectedWithTheParameterAndValue() {
        for (String bad : List.of("*", "com..x", "1abc", "com.acme.*.x", "com.acme.", ".com.acme", "com.acme.**",
                "com.acme.Cart[]", "com/acme/Cart", "com.acme.Ca-rt", ".*", "com.1x.Y")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TypeAllowList.parse("com.ok.Fine, " + bad), bad);
            assertTrue(e.getMessage().contains("allowedClasses"), e.getMessage());
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
            assertTrue(e.getMessage().contains("com.acme.model.*"), "says what is allowed: " + e.getMessage());
        }
    }

    @Test
    void wildcardsOverJdkNamespacesAreRefused() {
        for (String bad : List.of("java.*", "javax.*", "jdk.*", "sun.*", "com.sun.*", "java.util.*",
                "javax.naming.*", "jdk.internal.*", "sun.misc.*", "com.sun.rowset.*")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TypeAllowList.parse(bad));
            assertTrue(e.getMessage().contains("allowedClasses"), e.getMessage());
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
            assertTrue(e.getMessage().contains("individually"), e.getMessage());
        }
    }

    @Test
    void wildcardsAboveAJdkNamespace_orOverOtherPlatformNamespaces_areRefused() {
        // com.* would let com.sun.rowset.JdbcRowSetImpl (a JNDI gadget) through
        for (String bad : List.of("com.*", "org.*", "netscape.*", "com.oracle.*",
                "org.w3c.*", "org.xml.sax.*", "org.ietf.*", "org.omg.*")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TypeAllowList.parse("com.acme.model.* " + bad), bad);
            assertTrue(e.getMessage().startsWith("memsession init-param 'allowedClasses' is '"), e.getMessage());
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
        TypeAllowList neighbours = TypeAllowList.parse("com.sunny.* org.w3cx.* comx.*");
        assertTrue(neighbours.allowsApplicationClass("com.sunny.Thing"));
        assertFalse(neighbours.allowsApplicationClass("com.sun.rowset.JdbcRowSetImpl"));
    }

    @Test
    void filterIsBuiltOnceAndRejectsRatherThanLeavesUndecided() {
        TypeAllowList list = TypeAllowList.parse("io.memsession.codecfixtures.Cart");
        ObjectInputFilter filter = list.objectInputFilter();
        assertSame(filter, list.objectInputFilter());

        for (Class<?> allowed : List.of(Cart.class, Cart[].class, String.class, Integer.class, Number.class,
                Enum.class, BigDecimal.class, ArrayList.class, HashMap.class, UUID.class, int[].class, byte[][].class,
                String[].class, Object[].class, TimeUnit.class, List.of().getClass(), List.of(1, 2, 3).getClass(),
                java.util.Collections.unmodifiableList(new ArrayList<>()).getClass(), LocalDate.class)) {
            assertEquals(Status.ALLOWED, filter.checkInput(info(allowed, -1, 1, 1, 100)), allowed.getName());
        }
        try {
            Class<?> collSer = Class.forName("java.util.CollSer");
            Class<?> timeSer = Class.forName("java.time.Ser");
            assertEquals(Status.ALLOWED, filter.checkInput(info(collSer, -1, 1, 1, 100)));
            assertEquals(Status.ALLOWED, filter.checkInput(info(timeSer, -1, 1, 1, 100)));
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
        for (Class<?> rejected : List.of(Forbidden.class, Box.class, AtomicLong.class, AtomicLong[].class,
                Object.class, java.net.URL.class, Runtime.class, Class.class, java.util.PriorityQueue.class)) {
            assertEquals(Status.REJECTED, filter.checkInput(info(rejected, -1, 1, 1, 100)), rejected.getName());
        }
    }

    @Test
    void filterEnforcesLimits() {
        ObjectInputFilter filter = TypeAllowList.parse(null).objectInputFilter();
        assertEquals(Status.ALLOWED, filter.checkInput(info(null, -1, 20, 100_000, 8L * 1024 * 1024)));
        assertEquals(Status.ALLOWED, filter.checkInput(info(int[].class, 1_000_000, 1, 1, 10)));
        assertEquals(Status.REJECTED, filter.checkInput(info(null, -1, 21, 1, 10)));
        assertEquals(Status.REJECTED, filter.checkInput(info(null, -1, 1, 100_001, 10)));
        assertEquals(Status.REJECTED, filter.checkInput(info(null, -1, 1, 1, 8L * 1024 * 1024 + 1)));
        assertEquals(Status.REJECTED, filter.checkInput(info(int[].class, 1_000_001, 1, 1, 10)));
        assertEquals(Status.REJECTED, filter.checkInput(info(String.class, -1, 21, 1, 10)));
    }

    @Test
    void filterStopsARealStreamOnADisallowedClassOrTooDeep() throws Exception {
        TypeAllowList list = TypeAllowList.parse("io.memsession.codecfixtures.Box");
        Object nested = "end";
        for (int i = 0; i < 25; i++) {
            nested = new Box(nested);
        }
        assertEquals(new Box("shallow"), readFiltered(serialize(new Box("shallow")), list));
        byte[] smuggled = serialize(new Box(new AtomicLong()));
        assertThrows(InvalidClassException.class, () -> readFiltered(smuggled, list));
        byte[] deep = serialize(nested);
        assertThrows(InvalidClassException.class, () -> readFiltered(deep, list));
    }

    private static byte[] serialize(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    private static Object readFiltered(byte[] bytes, TypeAllowList list) throws Exception {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            in.setObjectInputFilter(list.objectInputFilter());
            return in.readObject();
        }
    }

    private static ObjectInputFilter.FilterInfo info(Class<?> cls, long arrayLength, long depth, long references,
            long streamBytes) {
        return new ObjectInputFilter.FilterInfo() {
            @Override
            public Class<?> serialClass() {
                return cls;
            }

            @Override
            public long arrayLength() {
                return arrayLength;
            }

            @Override
            public long depth() {
                return depth;
            }

            @Override
            public long references() {
                return references;
            }

            @Override
            public long streamBytes() {
                return streamBytes;
            }
        };
    }

    @Test
    void howToAllowSuggestsThePackageOnlyOutsideTheJdk() {
        assertEquals("add \"com.acme.Cart\" (or its package, \"com.acme.*\") to the init-param allowedClasses",
                TypeAllowList.howToAllow("com.acme.Cart"));
        assertEquals("add \"java.net.URL\" to the init-param allowedClasses", TypeAllowList.howToAllow("java.net.URL"));
    }
}
