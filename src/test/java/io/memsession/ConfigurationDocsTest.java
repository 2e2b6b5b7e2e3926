package io.memsession;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** docs/configuration.md must list every init-param with its default, so the two cannot drift apart. */
class ConfigurationDocsTest {

    @Test
    void everyInitParam_isDocumentedWithItsDefault() throws IOException {
        String docs = Files.readString(Path.of("docs/configuration.md"));
        for (SessionConfig.Param param : SessionConfig.Param.values()) {
            String row = "| `" + param.paramName() + "` | " + param.defaultText() + " |";
            assertTrue(docs.contains(row), "docs/configuration.md lacks the row start: " + row);
        }
    }
}
