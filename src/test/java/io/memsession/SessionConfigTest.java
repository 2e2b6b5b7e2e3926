package io.memsession;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

class SessionConfigTest {

    @Test
    void servers_acceptSpacesCommasAndIpv6() {
        List<InetSocketAddress> servers = SessionConfig.parseServers("127.0.0.1:11211, localhost:11212 [::1]:11213");
        assertEquals(3, servers.size());
        assertEquals(11211, servers.get(0).getPort());
        assertEquals("localhost", servers.get(1).getHostString());
        assertEquals(11213, servers.get(2).getPort());
    }

    @Test
    void servers_missingOrMalformed_nameTheParameterAndWhatIsAllowed() {
        for (String bad : new String[] {null, "127.0.0.1", "127.0.0.1:", "host:abc", "host:0", "host:70000", ":11211"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SessionConfig.parseServers(bad), "accepted " + bad);
            assertTrue(e.getMessage().contains("'servers'"), e.getMessage());
            assertTrue(e.getMessage().contains("host:port"), e.getMessage());
        }
    }

    @Test
    void replicas_defaultOne_upToTheNumberOfServers_otherwiseNamesTheParameterAndWhatIsAllowed() {
        assertEquals(1, SessionConfig.parseReplicas(null, 3, false));
        assertEquals(2, SessionConfig.parseReplicas("2", 3, false));
        assertEquals(3, SessionConfig.parseReplicas("3", 3, false));
        for (String bad : new String[] {"0", "4", "-1", "two", "2.0"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SessionConfig.parseReplicas(bad, 3, false), "accepted " + bad);
            assertTrue(e.getMessage().contains("'replicas'"), e.getMessage());
            assertTrue(e.getMessage().contains("from 1 to 3"), e.getMessage());
        }
        IllegalArgumentException withTier = assertThrows(IllegalArgumentException.class,
                () -> SessionConfig.parseReplicas("2", 2, true));
        assertTrue(withTier.getMessage().contains("'replicas'") && withTier.getMessage().contains("durable tier"),
                withTier.getMessage());
        assertEquals(1, SessionConfig.parseReplicas("1", 2, true));
    }

    @Test
    void keyPrefix_defaultsToContextPath_distinctForDistinctPaths() {
        assertEquals("memsession:/shop:", SessionConfig.defaultKeyPrefix("/shop"));
        assertEquals("memsession:/:", SessionConfig.defaultKeyPrefix(""));
        assertEquals("memsession:/a%20b:", SessionConfig.defaultKeyPrefix("/a b"));
        assertEquals("memsession:/a%2520b:", SessionConfig.defaultKeyPrefix("/a%20b"));
    }

    @Test
    void keyPrefix_withSpacesOrControlCharacters_isRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SessionConfig.parseKeyPrefix("my prefix", "/app"));
        assertTrue(e.getMessage().contains("'keyPrefix'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SessionConfig.parseKeyPrefix("a\r\nb", "/app"));
        assertThrows(IllegalArgumentException.class, () -> SessionConfig.parseKeyPrefix("x".repeat(201), "/app"));
        assertEquals("shop:", SessionConfig.parseKeyPrefix("shop:", "/app"));
    }

    @Test
    void cookieName_mustBeACookieToken() {
        assertEquals("MSESSIONID", SessionConfig.parseCookieName("MSESSIONID"));
        assertEquals(null, SessionConfig.parseCookieName(null));
        for (String bad : new String[] {"my session", "a;b", "a=b", "sess\"id", "é"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SessionConfig.parseCookieName(bad), "accepted " + bad);
            assertTrue(e.getMessage().contains("'cookieName'"), e.getMessage());
        }
    }
}
