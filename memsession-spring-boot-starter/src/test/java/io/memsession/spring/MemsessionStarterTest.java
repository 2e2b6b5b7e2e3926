package io.memsession.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import io.memsession.MemcachedSessionFilter;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootVersion;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.web.context.support.StandardServletEnvironment;

/**
 * Two instances of a Boot application with the starter on its class path, on one real memcached: a
 * session and a Spring Security login made on one are seen on the other.
 */
class MemsessionStarterTest {

    private static Process memcached;
    private static int memcachedPort;
    private static final List<ConfigurableApplicationContext> APPS = new ArrayList<>();

    @BeforeAll
    static void startMemcached() throws Exception {
        memcachedPort = freePort();
        List<String> command = new ArrayList<>(List.of("/usr/bin/memcached", "-l", "127.0.0.1", "-p",
                Integer.toString(memcachedPort), "-U", "0", "-m", "64"));
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("-u", "root"));
        }
        memcached = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(Files.createTempFile("memcached-boot", ".log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!answers(memcachedPort)) {
            assertTrue(System.nanoTime() < deadline && memcached.isAlive(), "memcached did not start");
            TimeUnit.MILLISECONDS.sleep(50); // polling interval of a condition with a deadline
        }
    }

    @AfterAll
    static void stopAll() throws InterruptedException {
        APPS.forEach(ConfigurableApplicationContext::close);
        memcached.destroy();
        memcached.waitFor(10, TimeUnit.SECONDS);
    }

    @Test
    void sessionAndSpringSecurityLogin_madeOnOneInstance_areSeenOnTheOther() throws Exception {
        int one = start("--memsession.allowed-classes=org.springframework.security.*");
        int two = start("--memsession.allowed-classes=org.springframework.security.*");
        CookieManager cookies = new CookieManager();
        HttpClient client = HttpClient.newBuilder().cookieHandler(cookies).build();

        assertTrue(get(client, one, "/put?value=42").body().startsWith("stored"));
        assertEquals("value=42", get(client, two, "/get").body(), "the session made on instance one");
        String before = sessionCookie(cookies);

        HttpResponse<String> login = client.send(HttpRequest.newBuilder(url(one, "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=ann&password=pw")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(302, login.statusCode(), login::body);
        assertTrue(login.headers().firstValue("Location").orElse("").endsWith("/secret"), login.headers()::toString);
        assertNotEquals(before, sessionCookie(cookies), "the login moved the session to a new id");

        HttpResponse<String> secret = get(client, two, "/secret");
        assertEquals(200, secret.statusCode(), secret::body);
        assertEquals("hello ann", secret.body(), "logged in on instance one, recognised on instance two");
        assertEquals("value=42", get(client, two, "/get").body(), "the session's data moved with the login");
    }

    /**
     * As in a container with web.xml: the filter's init fails, the container logs the filter's message
     * and the application does not start.
     */
    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void aWrongValue_stopsTheApplication_withTheFiltersMessage(CapturedOutput output) {
        assertThrows(Exception.class, () -> start("--memsession.op-timeout-millis=abc"));
        assertTrue(output.getAll().contains("memsession init-param 'opTimeoutMillis' is 'abc'; allowed: a whole"
                + " number from 1 to 60000"), "the filter's message is logged at start-up");
        Exception unknown = assertThrows(Exception.class, () -> start("--memsession.op-timeout=5"));
        assertTrue(messages(unknown).contains("'memsession.op-timeout' is unknown"), messages(unknown));
    }

    /**
     * Environment variables set properties as in any Boot application (in both of Boot's spellings); an
     * unrelated {@code MEMSESSION_*} variable is no error, while an unknown name written out is.
     */
    @Test
    void environmentVariables_setTheProperties_andUnrelatedOnesAreNoError() {
        Map<String, String> params = MemsessionAutoConfiguration.initParameters(environment(Map.of(
                "MEMSESSION_SERVERS", "127.0.0.1:11211", "MEMSESSION_OPTIMEOUTMILLIS", "300",
                "MEMSESSION_KEEP_ALIVE_EXCLUDE", "/health", "MEMSESSION_DEMO_PORT", "8080")));
        assertEquals(Map.of("servers", "127.0.0.1:11211", "opTimeoutMillis", "300", "keepAliveExclude", "/health"),
                params);

        StandardEnvironment written = environment(Map.of());
        written.getPropertySources().addFirst(new MapPropertySource("application.properties",
                Map.of("memsession.servers", "127.0.0.1:11211", "memsession.op-timeout", "5")));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> MemsessionAutoConfiguration.initParameters(written));
        assertTrue(unknown.getMessage().startsWith("memsession property 'memsession.op-timeout' is unknown; allowed: ["),
                unknown.getMessage());
    }

    /** A Boot application configured by environment variables only: the filter is there and keeps sessions. */
    @Test
    void anApplicationConfiguredByEnvironmentVariablesOnly_keepsItsSessionsInMemcached() throws Exception {
        StandardServletEnvironment environment = new StandardServletEnvironment();
        environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of(
                        "MEMSESSION_SERVERS", "127.0.0.1:" + memcachedPort, "MEMSESSION_KEY_PREFIX", "env-only:",
                        "MEMSESSION_DEMO_PORT", "8080")));
        SpringApplication application = new SpringApplication(SampleApplication.class);
        application.setEnvironment(environment);
        ConfigurableApplicationContext context = application.run("--server.port=0", "--server.address=127.0.0.1",
                "--spring.main.banner-mode=off");
        APPS.add(context);
        assertTrue(context.containsBean("memsessionFilter"), "MEMSESSION_SERVERS turns the starter on");
        int port = Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
        HttpClient client = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        assertTrue(get(client, port, "/put?value=env").body().startsWith("stored"));
        assertEquals("value=env", get(client, port, "/get").body());
        assertEquals("OK", memcached("flush_all"));
        assertEquals("no session", get(client, port, "/get").body(), "the session lived in memcached");
    }

    /** One text-protocol command to the test's memcached; its one-line answer. */
    private static String memcached(String command) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), memcachedPort)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            StringBuilder line = new StringBuilder();
            InputStream in = socket.getInputStream();
            for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }
    }

    /** An environment whose only environment variables are {@code variables}. */
    private static StandardEnvironment environment(Map<String, Object> variables) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
        return environment;
    }

    /**
     * The build says which Spring Boot it runs these tests under (../pom.xml Boot 3, boot4/pom.xml Boot 4)
     * and, for Boot 4, which starter jar: the one built with Boot 3, so one jar serves both.
     */
    @Test
    void runsUnderTheSpringBootAndTheStarterJarTheBuildNames() throws Exception {
        assertEquals(System.getProperty("starter.bootVersion"), SpringBootVersion.getVersion(), "Spring Boot");
        String jar = System.getProperty("starter.jar");
        if (jar != null) {
            Path loadedFrom = Path.of(MemsessionAutoConfiguration.class.getProtectionDomain().getCodeSource()
                    .getLocation().toURI());
            assertEquals(Path.of(jar).toRealPath(), loadedFrom.toRealPath(), "the starter's classes come from");
        }
    }

    /**
     * The IDE help is the configuration reference: every init-param of the library
     * ({@link MemcachedSessionFilter#initParameterNames()}) is a property in the metadata, with the
     * meaning and default of its row in docs/configuration.md (which the library's ConfigurationDocsTest
     * holds to the code), markdown backticks dropped; a default that is no literal value (such as
     * "(none)" or "the webapp's cookie name, else `JSESSIONID`") is left out of the metadata.
     */
    @Test
    void everyInitParam_isAPropertyInTheConfigurationMetadata_withTheDocumentedMeaningAndDefault() throws IOException {
        Map<String, Map<String, String>> metadata = metadataProperties();
        Map<String, String[]> documented = documentedInitParams();
        List<String> params = MemcachedSessionFilter.initParameterNames();
        assertEquals(new TreeSet<>(params), new TreeSet<>(documented.keySet()), "docs/configuration.md's table");
        assertEquals(MemsessionAutoConfiguration.propertyNames(), metadata.keySet(),
                "additional-spring-configuration-metadata.json names exactly the init-params");
        List<String> wrong = new ArrayList<>();
        for (String param : params) {
            String property = "memsession." + MemsessionAutoConfiguration.kebabCase(param);
            Map<String, String> entry = metadata.get(property);
            String meaning = documented.get(param)[1].replace("`", "");
            String shownDefault = documented.get(param)[0].replace("`", "");
            String literalDefault = shownDefault.startsWith("(") || shownDefault.contains(" ") ? null : shownDefault;
            if (!meaning.equals(entry.get("description"))) {
                wrong.add(property + " description\n  expected: " + meaning + "\n  found:    " + entry.get("description"));
            }
            if (!Objects.equals(literalDefault, entry.get("defaultValue"))) {
                wrong.add(property + " defaultValue: expected " + literalDefault + ", found " + entry.get("defaultValue"));
            }
            if (!"java.lang.String".equals(entry.get("type"))) {
                wrong.add(property + " type: " + entry.get("type") + " (every init-param is a string)");
            }
        }
        assertTrue(wrong.isEmpty(), "the metadata differs from docs/configuration.md:\n" + String.join("\n", wrong));
    }

    /** The metadata's properties: name to their string fields (type, description, defaultValue). */
    private Map<String, Map<String, String>> metadataProperties() throws IOException {
        Map<String, Map<String, String>> properties = new TreeMap<>();
        try (InputStream in = getClass().getResourceAsStream("/META-INF/additional-spring-configuration-metadata.json");
             JsonParser json = new JsonFactory().createParser(in)) {
            assertEquals(JsonToken.START_OBJECT, json.nextToken());
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String section = json.currentName();
                json.nextToken();
                if (!"properties".equals(section)) {
                    json.skipChildren();
                    continue;
                }
                while (json.nextToken() == JsonToken.START_OBJECT) {
                    Map<String, String> fields = new TreeMap<>();
                    while (json.nextToken() == JsonToken.FIELD_NAME) {
                        String field = json.currentName();
                        JsonToken value = json.nextToken();
                        if (value.isScalarValue()) {
                            fields.put(field, json.getText());
                        } else {
                            json.skipChildren();
                        }
                    }
                    assertTrue(properties.put(fields.get("name"), fields) == null, "listed twice: " + fields.get("name"));
                }
            }
        }
        return properties;
    }

    /** docs/configuration.md's init-param table: name to {default, meaning}. */
    private static Map<String, String[]> documentedInitParams() throws IOException {
        Path docs = Path.of(System.getProperty("starter.docs", "../docs"), "configuration.md");
        Pattern row = Pattern.compile("^\\| `([a-zA-Z]+)` \\| (.*?) \\| (.*) \\|$");
        Map<String, String[]> params = new LinkedHashMap<>();
        for (String line : Files.readAllLines(docs)) {
            Matcher m = row.matcher(line);
            if (m.matches()) {
                params.put(m.group(1), new String[] {m.group(2), m.group(3)});
            }
        }
        return params;
    }

    private static int start(String... extra) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--server.address=127.0.0.1",
                "--memsession.servers=127.0.0.1:" + memcachedPort, "--spring.main.banner-mode=off"));
        args.addAll(List.of(extra));
        ConfigurableApplicationContext context = SpringApplication.run(SampleApplication.class,
                args.toArray(String[]::new));
        APPS.add(context);
        // the port as Boot publishes it, in Boot 3 and Boot 4 alike (Boot 4 moved the web server's classes)
        return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
    }

    private static HttpResponse<String> get(HttpClient client, int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(url(port, path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI url(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static String sessionCookie(CookieManager cookies) {
        return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("JSESSIONID"))
                .map(HttpCookie::getValue).findFirst().orElse(null);
    }

    private static String messages(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable cause = t; cause != null; cause = cause.getCause()) {
            all.append(cause.getMessage()).append(" | ");
        }
        return all.toString();
    }

    private static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
