package io.memsession;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

import io.memsession.SessionConfig.DurableTier;
import io.memsession.SessionConfig.Param;

import org.junit.jupiter.api.Test;

/** The durable tier's init-params: defaults, and every wrong value named with what is allowed. */
class DurableTierConfigTest {

    private static DurableTier parse(String... keyValues) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put(keyValues[i], keyValues[i + 1]);
        }
        Function<Param, String> raw = p -> values.get(p.paramName());
        return SessionConfig.parseDurableTier(raw);
    }

    private static void assertRejected(String param, String... keyValues) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(keyValues));
        assertTrue(e.getMessage().contains("'" + param + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("allowed:"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"), "a password never appears in a message: " + e.getMessage());
    }

    @Test
    void off_unlessAUrlOrADataSourceIsGiven() {
        assertNull(parse());
    }

    @Test
    void defaults() {
        DurableTier tier = parse("jdbcUrl", "jdbc:postgresql://127.0.0.1:5432/app");
        assertEquals("memsession_sessions", tier.table());
        assertFalse(tier.createTable());
        assertEquals(Duration.ofMillis(1000), tier.timeout());
        assertEquals(10, tier.poolSize());
        assertEquals(0.1, tier.accessWriteFraction());
        assertNull(tier.jndiName());
    }

    @Test
    void jndiName_isTheAlternativeToAUrl() {
        DurableTier tier = parse("dataSource", "java:comp/env/jdbc/sessions", "jdbcTable", "web.sessions",
                "jdbcCreateTable", "true", "jdbcAccessWriteFraction", "0");
        assertEquals("java:comp/env/jdbc/sessions", tier.jndiName());
        assertEquals("web.sessions", tier.table());
        assertTrue(tier.createTable());
        assertEquals(0.0, tier.accessWriteFraction());
    }

    @Test
    void wrongSettings_nameTheParameter() {
        String url = "jdbc:h2:tcp://127.0.0.1/x";
        assertRejected("jdbcUrl", "jdbcUrl", "postgresql://db/app");
        assertRejected("jdbcUrl", "jdbcUrl", "jdbc:");
        assertRejected("dataSource", "jdbcUrl", url, "dataSource", "java:comp/env/jdbc/x");
        assertRejected("jdbcTable", "jdbcUrl", url, "jdbcTable", "sessions; DROP TABLE users");
        assertRejected("jdbcTable", "jdbcUrl", url, "jdbcTable", "1sessions");
        assertRejected("jdbcTable", "jdbcUrl", url, "jdbcTable", "a.b.c");
        assertRejected("jdbcTimeoutMillis", "jdbcUrl", url, "jdbcTimeoutMillis", "100");
        assertRejected("jdbcPoolSize", "jdbcUrl", url, "jdbcPoolSize", "0");
        assertRejected("jdbcAccessWriteFraction", "jdbcUrl", url, "jdbcAccessWriteFraction", "0.9");
        assertRejected("jdbcAccessWriteFraction", "jdbcUrl", url, "jdbcAccessWriteFraction", "often");
        assertRejected("jdbcCreateTable", "jdbcUrl", url, "jdbcCreateTable", "yes");
        assertRejected("jdbcPassword", "dataSource", "java:comp/env/jdbc/x", "jdbcPassword", "s3cret");
        assertRejected("jdbcPassword", "jdbcPassword", "s3cret");
        assertRejected("jdbcTable", "jdbcTable", "sessions");
    }

    @Test
    void theSettingsShownInTheLog_carryNoCredentials() {
        String shown = parse("jdbcUrl", "jdbc:mysql://bob:s3cret@db:3306/app?password=s3cret",
                "jdbcPassword", "s3cret").toString();
        assertFalse(shown.contains("s3cret"), shown);
        assertTrue(shown.contains("jdbc:mysql://db:3306/app"), shown);
    }
}
