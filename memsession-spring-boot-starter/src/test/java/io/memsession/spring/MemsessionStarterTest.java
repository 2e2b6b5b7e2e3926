package io.memsession.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.memsession.MemcachedSessionFilter;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

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

    @Test
    void everyInitParam_isAPropertyInTheConfigurationMetadata() throws IOException {
        String metadata = new String(getClass().getResourceAsStream(
                "/META-INF/additional-spring-configuration-metadata.json").readAllBytes());
        Set<String> names = MemsessionAutoConfiguration.propertyNames();
        assertEquals(MemcachedSessionFilter.initParameterNames().size(), names.size());
        Matcher listed = Pattern.compile("\"name\": \"(memsession\\.[a-z-]+)\"").matcher(metadata);
        Set<String> inMetadata = new java.util.TreeSet<>();
        while (listed.find()) {
            inMetadata.add(listed.group(1));
        }
        assertEquals(names, inMetadata, "additional-spring-configuration-metadata.json");
    }

    private static int start(String... extra) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--server.address=127.0.0.1",
                "--memsession.servers=127.0.0.1:" + memcachedPort, "--spring.main.banner-mode=off"));
        args.addAll(List.of(extra));
        ConfigurableApplicationContext context = SpringApplication.run(SampleApplication.class,
                args.toArray(String[]::new));
        APPS.add(context);
        return ((ServletWebServerApplicationContext) context).getWebServer().getPort();
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
