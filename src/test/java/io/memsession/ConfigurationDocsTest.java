package io.memsession;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md must list every init-param with the default and meaning that
 * {@link SessionConfig.Param} holds, row for row, so the two cannot drift apart.
 */
class ConfigurationDocsTest {

    @Test
    void everyInitParam_isDocumentedWithItsDefaultAndMeaning_exactlyAsTheCodeHasThem() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("docs/configuration.md"));
        List<String> wrong = new ArrayList<>();
        for (SessionConfig.Param param : SessionConfig.Param.values()) {
            String expected = "| `" + param.paramName() + "` | " + param.defaultText() + " | " + param.meaning() + " |";
            String start = "| `" + param.paramName() + "` |";
            List<String> rows = lines.stream().filter(l -> l.startsWith(start)).toList();
            if (rows.size() != 1 || !rows.get(0).equals(expected)) {
                wrong.add("expected: " + expected + "\n   found: " + rows);
            }
        }
        assertTrue(wrong.isEmpty(), "docs/configuration.md differs from SessionConfig.Param:\n" + String.join("\n", wrong));
    }

    @Test
    void theExampleErrorInTheDocs_isTheOneTheCodeGives() throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SessionConfig.parseMillis(SessionConfig.Param.OP_TIMEOUT_MILLIS, "abc", 250));
        List<String> lines = Files.readAllLines(Path.of("docs/configuration.md"));
        assertTrue(lines.contains(e.getMessage()), "docs/configuration.md should show: " + e.getMessage());
    }

    @Test
    void everyDocumentedParameter_existsInTheCode() throws IOException {
        Set<String> known = java.util.Arrays.stream(SessionConfig.Param.values()).map(SessionConfig.Param::paramName)
                .collect(java.util.stream.Collectors.toSet());
        for (String line : Files.readAllLines(Path.of("docs/configuration.md"))) {
            if (line.startsWith("| `") && line.indexOf('`', 3) > 3) {
                String name = line.substring(3, line.indexOf('`', 3));
                if (name.matches("[a-zA-Z]+") && Character.isLowerCase(name.charAt(0))) {
                    assertTrue(known.contains(name), "docs/configuration.md documents an unknown init-param: " + name);
                }
            }
        }
    }
}
