package io.memsession.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The demo's JSON strings carry user input (attribute names and values) to the pages' scripts. */
class JsonTest {

    @Test
    void quotesBackslashesAndControlCharacters_areEscaped() {
        assertEquals("\"a\\\"b\\\\c\\nd\\u0001\"", Json.string("a\"b\\c\nd\u0001"));
    }

    @Test
    void markupCharacters_areEscaped_soTheJsonCannotCloseAScriptOrStartATag() {
        assertEquals("\"\\u003c/script\\u003e \\u0026\"", Json.string("</script> &"));
    }

    @Test
    void null_isJsonNull() {
        assertEquals("null", Json.string(null));
    }
}
