package io.memsession;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import io.memsession.SessionConfig.Param;
import io.memsession.store.SaslCredentials;

/** {@code saslUser} and {@code saslPassword}: both or neither, and the password in no message. */
class SaslConfigTest {

    private static SaslCredentials parse(String... keyValues) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put(keyValues[i], keyValues[i + 1]);
        }
        Function<Param, String> raw = p -> values.get(p.paramName());
        return SessionConfig.parseSasl(raw);
    }

    @Test
    void neither_meansNoSasl() {
        assertNull(parse());
    }

    @Test
    void both_giveCredentials_shownWithoutThePassword() {
        SaslCredentials credentials = parse("saslUser", "web", "saslPassword", "s3cret");
        assertNotNull(credentials);
        assertEquals("SASL PLAIN as 'web'", credentials.toString());
    }

    @Test
    void passwordWithoutUser_namesSaslUser() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("saslPassword", "s3cret"));
        assertTrue(e.getMessage().startsWith("memsession init-param 'saslUser' is missing; allowed:"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    }

    @Test
    void userWithoutPassword_namesSaslPassword() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("saslUser", "web"));
        assertTrue(e.getMessage().startsWith("memsession init-param 'saslPassword' is missing; allowed:"),
                e.getMessage());
    }
}
