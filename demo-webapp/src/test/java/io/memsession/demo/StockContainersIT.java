package io.memsession.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.CookieManager;
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
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The demo WAR, unchanged, in a stock Tomcat 11, a stock Jetty 12 and a stock WildFly distribution (Maven
 * Central artifacts unpacked by the build; only the listening ports and address are set), all on one
 * memcached: a session started on one kind of container is read and changed on the others, and back.
 *
 * <p>The WAR names memcached at 127.0.0.1:11311 and the durable tier's H2 server at 127.0.0.1:11312, so
 * the test starts its memcached and H2 there: the tier works in all three containers too.
 */
class StockContainersIT {

    private static final String CONTEXT = "/memsession-demo";
    private static final Duration START_DEADLINE = Duration.ofSeconds(120);
    /** The ports of the stock standalone.xml, each of which the offset must leave free. */
    private static final int WILDFLY_HTTP_PORT = 8080;
    private static final List<Integer> WILDFLY_PORTS = List.of(WILDFLY_HTTP_PORT, 8443, 8009, 9990, 9993, 4712, 4713);

    private final List<Process> processes = new ArrayList<>();
    private final Path runDir = Path.of(System.getProperty("stock.runDir"));

    @AfterEach
    void stopEverything() throws InterruptedException {
        // WildFly's standalone.sh runs the server as its child and passes SIGTERM on to it; the
        // children are remembered first, to check afterwards that none is left running.
        List<ProcessHandle> children = new ArrayList<>();
        for (Process process : processes) {
            process.descendants().forEach(children::add);
        }
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process process = processes.get(i);
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        List<ProcessHandle> survivors = children.stream()
                .filter(child -> child.onExit().completeOnTimeout(child, 20, TimeUnit.SECONDS).join().isAlive())
                .toList();
        survivors.forEach(ProcessHandle::destroyForcibly);
        assertEquals(List.of(), survivors.stream().map(ProcessHandle::pid).toList(),
                "children that outlived their start script (stopped here)");
        for (Process process : processes) {
            assertTrue(!process.isAlive(), "pid " + process.pid() + " was stopped");
        }
    }

    @Test
    void theSameWarInStockTomcatJettyAndWildFly_sharesOneSession() throws Exception {
        Files.createDirectories(runDir);
        assertTrue(!answers(11311), "127.0.0.1:11311, which the WAR names, must be free (is the demo running?)");
        start(runDir.resolve("memcached.log"), memcachedCommand());
        waitUntil("memcached on 11311", () -> answers(11311));
        assertTrue(!answers(11312), "127.0.0.1:11312, where the WAR's jdbcUrl points, must be free (is the demo running?)");
        Path h2Data = runDir.resolve("h2");
        deleteTree(h2Data);
        start(runDir.resolve("h2.log"), List.of(java(), "-Dh2.bindAddress=127.0.0.1", "-cp",
                System.getProperty("stock.h2Jar"), "org.h2.tools.Server", "-tcp", "-tcpPort", "11312",
                "-ifNotExists", "-baseDir", h2Data.toString()));
        waitUntil("H2 on 11312", () -> answers(11312));

        int tomcatPort = freePort();
        Path tomcatBase = tomcatBase(tomcatPort);
        Path tomcatHome = Path.of(System.getProperty("stock.tomcatHome"));
        start(runDir.resolve("tomcat.log"), List.of(java(), "-Ddemo.node=stock-tomcat",
                "-Dcatalina.home=" + tomcatHome, "-Dcatalina.base=" + tomcatBase,
                "-Djava.io.tmpdir=" + tomcatBase.resolve("temp"),
                "-cp", tomcatHome.resolve("bin/bootstrap.jar") + ":" + tomcatHome.resolve("bin/tomcat-juli.jar"),
                "org.apache.catalina.startup.Bootstrap", "start"));

        int jettyPort = freePort();
        Path jettyHome = Path.of(System.getProperty("stock.jettyHome"));
        Path jettyBase = jettyBase(jettyHome);
        start(runDir.resolve("jetty.log"), List.of(java(), "-Ddemo.node=stock-jetty", "-jar",
                jettyHome.resolve("start.jar").toString(), "jetty.home=" + jettyHome, "jetty.base=" + jettyBase,
                "jetty.http.host=127.0.0.1", "jetty.http.port=" + jettyPort));

        int wildflyPort = startWildFly();

        HttpClient client = newClient();
        waitUntil("the WAR on stock Tomcat", () -> status(client, tomcatPort) == 200);
        waitUntil("the WAR on stock Jetty", () -> status(client, jettyPort) == 200);
        waitUntil("the WAR on stock WildFly", () -> status(client, wildflyPort) == 200);

        String onTomcat = post(client, tomcatPort, "fromTomcat", "t1");
        assertTrue(onTomcat.contains("\"node\":\"stock-tomcat\""), onTomcat);
        String readOnJetty = get(client, jettyPort);
        assertTrue(readOnJetty.contains("\"node\":\"stock-jetty\""), readOnJetty);
        assertTrue(readOnJetty.contains("\"fromTomcat\":\"t1\""), "Jetty reads Tomcat's session: " + readOnJetty);

        post(client, jettyPort, "fromJetty", "j1");
        String readOnTomcat = get(client, tomcatPort);
        assertTrue(readOnTomcat.contains("\"fromTomcat\":\"t1\"") && readOnTomcat.contains("\"fromJetty\":\"j1\""),
                "Tomcat reads Jetty's change: " + readOnTomcat);
        assertEquals(sessionId(readOnJetty), sessionId(readOnTomcat), "one session on both kinds of container");

        String readOnWildFly = get(client, wildflyPort);
        assertTrue(readOnWildFly.contains("\"node\":\"stock-wildfly\""), readOnWildFly);
        assertTrue(readOnWildFly.contains("\"fromTomcat\":\"t1\"") && readOnWildFly.contains("\"fromJetty\":\"j1\""),
                "WildFly reads the session Tomcat and Jetty wrote: " + readOnWildFly);
        assertEquals(sessionId(readOnTomcat), sessionId(readOnWildFly), "one session on all three");
        post(client, wildflyPort, "fromWildFly", "w1");
        assertTrue(get(client, tomcatPort).contains("\"fromWildFly\":\"w1\""), "Tomcat reads WildFly's change");
        assertTrue(get(client, jettyPort).contains("\"fromWildFly\":\"w1\""), "Jetty reads WildFly's change");

        // and a session that WildFly starts is read on the other two
        HttpClient second = newClient();
        String startedOnWildFly = post(second, wildflyPort, "bornOn", "wildfly");
        assertTrue(startedOnWildFly.contains("\"node\":\"stock-wildfly\""), startedOnWildFly);
        String secondOnJetty = get(second, jettyPort);
        assertTrue(secondOnJetty.contains("\"bornOn\":\"wildfly\""), "Jetty reads WildFly's session: " + secondOnJetty);
        post(second, tomcatPort, "thenOn", "tomcat");
        String secondBack = get(second, wildflyPort);
        assertTrue(secondBack.contains("\"bornOn\":\"wildfly\"") && secondBack.contains("\"thenOn\":\"tomcat\""),
                "WildFly reads Tomcat's change to its session: " + secondBack);
        assertTrue(!sessionId(secondBack).equals(sessionId(readOnWildFly)), "the second client has a session of its own");

        // a log-in on WildFly (changeSessionId) holds on Jetty under the new id
        HttpResponse<String> login = second.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + wildflyPort + CONTEXT + "/")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("action=login&user=wendy")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(303, login.statusCode(), login::body);
        String afterLogin = get(second, jettyPort);
        assertTrue(afterLogin.contains("\"user\":\"wendy\"") && afterLogin.contains("\"bornOn\":\"wildfly\""),
                "Jetty reads the login made on WildFly: " + afterLogin);
        assertTrue(!sessionId(afterLogin).equals(sessionId(secondBack)), "the log-in changed the session id");

        // the durable tier took part on every container, and no save failed (a database call may have
        // timed out while three cold servers started at once; the tier retries those, see durable-tier.md)
        for (int port : List.of(tomcatPort, jettyPort, wildflyPort)) {
            String metrics = getPath(client, port, "/metrics.json");
            assertTrue(metrics.matches(".*\"tier\":\\{[^}]*\"databaseStatements\":[1-9].*"), "tier statements: " + metrics);
            assertTrue(metrics.contains("\"storeFailures\":0,"), "no failed save: " + metrics);
        }
    }

    /**
     * Starts the stock WildFly with its own start script, on a server base of its own (the stock
     * configuration folder, the WAR in deployments/ for the deployment scanner), bound to loopback, with
     * every port moved by one offset; returns the HTTP port.
     */
    private int startWildFly() throws IOException {
        Path home = Path.of(System.getProperty("stock.wildflyHome"));
        Path base = runDir.resolve("wildfly-base");
        deleteTree(base); // no deployment markers or data of an earlier run
        Files.createDirectories(base.resolve("deployments"));
        copyTree(home.resolve("standalone/configuration"), base.resolve("configuration"));
        Files.copy(Path.of(System.getProperty("stock.war")), base.resolve("deployments/memsession-demo.war"),
                StandardCopyOption.REPLACE_EXISTING);
        int offset = freeWildFlyPortOffset();
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", home.resolve("bin/standalone.sh").toString(),
                "-Djboss.server.base.dir=" + base, "-b", "127.0.0.1", "-bmanagement", "127.0.0.1",
                "-Djboss.socket.binding.port-offset=" + offset);
        // in the background of its script, which then passes SIGTERM on to the server
        builder.environment().put("LAUNCH_JBOSS_IN_BACKGROUND", "true");
        builder.environment().put("JAVA", java());
        builder.environment().put("JAVA_OPTS", "-Ddemo.node=stock-wildfly -Xms64m -Xmx512m");
        processes.add(builder.redirectErrorStream(true).redirectOutput(runDir.resolve("wildfly.log").toFile()).start());
        return WILDFLY_HTTP_PORT + offset;
    }

    private static int freeWildFlyPortOffset() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int offset = 20000 + ThreadLocalRandom.current().nextInt(30000);
            boolean allFree = true;
            for (int port : WILDFLY_PORTS) {
                allFree &= bindable(port + offset);
            }
            if (allFree) {
                return offset;
            }
        }
        throw new IOException("no port offset with all of WildFly's ports free on loopback");
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> tree = Files.walk(from)) {
            for (Path source : tree.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static HttpClient newClient() {
        return HttpClient.newBuilder().cookieHandler(new CookieManager()).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** A catalina.base of its own: the stock conf, with only the shutdown port off and the connector on loopback. */
    private Path tomcatBase(int port) throws IOException {
        Path home = Path.of(System.getProperty("stock.tomcatHome"));
        Path base = runDir.resolve("tomcat-base");
        for (String dir : List.of("conf", "webapps", "logs", "temp", "work")) {
            Files.createDirectories(base.resolve(dir));
        }
        try (Stream<Path> conf = Files.list(home.resolve("conf"))) {
            for (Path file : conf.filter(Files::isRegularFile).toList()) {
                Files.copy(file, base.resolve("conf").resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path serverXml = base.resolve("conf/server.xml");
        String xml = Files.readString(serverXml, StandardCharsets.UTF_8)
                .replace("<Server port=\"8005\"", "<Server port=\"-1\"")
                .replace("<Connector port=\"8080\"", "<Connector port=\"" + port + "\" address=\"127.0.0.1\"");
        assertTrue(xml.contains("port=\"" + port + "\""), "the stock server.xml has its 8080 connector");
        Files.writeString(serverXml, xml, StandardCharsets.UTF_8);
        Files.copy(Path.of(System.getProperty("stock.war")), base.resolve("webapps/memsession-demo.war"),
                StandardCopyOption.REPLACE_EXISTING);
        return base;
    }

    /** A jetty.base with the stock http and ee10-deploy modules, and the WAR in its webapps. */
    private Path jettyBase(Path home) throws Exception {
        Path base = runDir.resolve("jetty-base");
        Files.createDirectories(base);
        Process setup = new ProcessBuilder(java(), "-jar", home.resolve("start.jar").toString(),
                "jetty.home=" + home, "jetty.base=" + base, "--add-modules=http,ee10-deploy")
                .redirectErrorStream(true).redirectOutput(runDir.resolve("jetty-setup.log").toFile()).start();
        assertTrue(setup.waitFor(60, TimeUnit.SECONDS) && setup.exitValue() == 0,
                "jetty.base set-up, see " + runDir.resolve("jetty-setup.log"));
        Files.createDirectories(base.resolve("webapps"));
        Files.copy(Path.of(System.getProperty("stock.war")), base.resolve("webapps/memsession-demo.war"),
                StandardCopyOption.REPLACE_EXISTING);
        return base;
    }

    private static List<String> memcachedCommand() {
        List<String> command = new ArrayList<>(List.of("/usr/bin/memcached", "-l", "127.0.0.1", "-p", "11311",
                "-U", "0", "-m", "64"));
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("-u", "root"));
        }
        return command;
    }

    private void start(Path log, List<String> command) throws IOException {
        processes.add(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start());
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int status(HttpClient client, int port) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + CONTEXT + "/api/session"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String get(HttpClient client, int port) throws Exception {
        return getPath(client, port, "/api/session");
    }

    private static String getPath(HttpClient client, int port, String path) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + CONTEXT + path)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r::body);
        return r.body();
    }

    private static String post(HttpClient client, int port, String name, String value) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + CONTEXT + "/api/attribute")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("name=" + name + "&value=" + value)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r::body);
        return r.body();
    }

    private static String sessionId(String json) {
        int at = json.indexOf("\"id\":\"");
        assertTrue(at >= 0, json);
        return json.substring(at + 6, json.indexOf('"', at + 6));
    }

    private static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
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

    private void waitUntil(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            for (Process process : processes) {
                assertTrue(process.isAlive(), what + ": a process ended early, see " + runDir);
            }
            assertTrue(System.nanoTime() < deadline, what + " within " + START_DEADLINE.toSeconds() + " s, see " + runDir);
            TimeUnit.MILLISECONDS.sleep(200); // polling interval of a condition with a deadline
        }
    }
}
