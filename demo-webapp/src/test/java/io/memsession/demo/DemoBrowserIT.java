package io.memsession.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The demo cluster clicked through in a real browser: headless Chromium (Debian's package, driven through
 * Debian's chromedriver) against the balanced URL of the cluster that {@code scripts/demo.sh} starts,
 * nginx alternating every request between two Jetty nodes with no stickiness. Whatever a user does, the
 * next request may land on the other node; the session must follow. The demo runs with the durable tier
 * on (an H2 server behind memcached), so a flushed memcached loses no session either.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoBrowserIT {

    private static final String COOKIE = "JSESSIONID";
    private static final Set<String> BOTH_NODES = Set.of("node-A", "node-B");
    /** Reloads allowed to see both nodes: the page's own metrics polls share the round-robin. */
    private static final int MAX_RELOADS = 20;
    /** Generous: CI machines may be busy; every wait ends as soon as its condition holds. */
    private static final Duration WAIT = Duration.ofSeconds(30);

    private DemoCluster cluster;
    private WebDriver browser;
    private WebDriverWait wait;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /**
     * Selenium looks for a DevTools binding matching this Chromium and warns when it has none; the test
     * uses plain WebDriver only. Held here so that the level set on it is not lost with the logger.
     */
    private final Logger cdpVersionLog = Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

    @BeforeAll
    void startClusterAndBrowser() throws Exception {
        cdpVersionLog.setLevel(Level.SEVERE);
        Path runDir = Path.of(required("demo.runDir"));
        cluster = DemoCluster.start(Path.of(required("demo.script")), runDir);

        ChromeOptions options = new ChromeOptions();
        options.setBinary(required("demo.chromium"));
        options.addArguments("--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,800",
                "--user-data-dir=" + Files.createTempDirectory(runDir, "chromium-profile"));
        if ("root".equals(System.getProperty("user.name"))) {
            options.addArguments("--no-sandbox"); // Chromium refuses to start its sandbox as root
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(required("demo.chromedriver")).toFile())
                .withLogFile(runDir.resolve("chromedriver.log").toFile())
                .build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, WAIT);
    }

    @AfterAll
    void stopBrowserAndCluster() throws Exception {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @BeforeEach
    void newVisitor() {
        // on the site (cookies can only be deleted there), by a request that creates no session
        browser.get(cluster.url().resolve("metrics.json").toString());
        browser.manage().deleteAllCookies();
    }

    // ------------------------------------------------------------------------------------ tests

    @Test
    @Order(1)
    void reloads_areServedByBothNodes_withOneSession_andACounterThatNeverGoesBack() {
        Page first = open();
        Set<String> nodes = new HashSet<>(Set.of(first.node()));
        int visits = first.visits();
        for (int reload = 1; reload <= MAX_RELOADS && !nodes.equals(BOTH_NODES); reload++) {
            Page page = reload();
            nodes.add(page.node());
            assertEquals(first.shortId(), page.shortId(), "reload " + reload + " on " + page.node());
            assertEquals(first.cookie(), page.cookie(), "the session cookie stays, reload " + reload);
            assertEquals(visits + 1, page.visits(), "the counter goes on, reload " + reload + " on " + page.node());
            visits = page.visits();
        }
        assertEquals(BOTH_NODES, nodes, "both nodes served the session within " + MAX_RELOADS + " reloads");
    }

    @Test
    @Order(2)
    void storedValue_isReadOnEveryNode_afterTheBalancerMovedTheUser() {
        open();
        submit(By.id("store-form"), "name", "colour", "value", "green");
        Set<String> nodesShowingIt = new HashSet<>();
        Page page = current();
        for (int reload = 0; reload <= MAX_RELOADS && !nodesShowingIt.equals(BOTH_NODES); reload++) {
            if (reload > 0) {
                page = reload();
            }
            assertEquals("green", attributeShown("colour"), "stored value on " + page.node());
            nodesShowingIt.add(page.node());
        }
        assertEquals(BOTH_NODES, nodesShowingIt, "both nodes show the stored value");
    }

    @Test
    @Order(3)
    void logIn_changesTheId_andKillsTheOldOne_logOut_endsTheSessionEverywhere() throws Exception {
        Page anonymous = open();
        submit(By.id("login-form"), "user", "alice");
        Page loggedIn = current();
        assertEquals("alice", browser.findElement(By.id("user")).getText());
        assertNotEquals(anonymous.cookie(), loggedIn.cookie(), "log-in must change the session id");
        assertTrue(loggedIn.cookie().startsWith(loggedIn.shortId().replace("\u2026", "")),
                "the page shows the start of the new id");
        assertTrue(loggedIn.visits() > anonymous.visits(), "attributes survive the id change");

        assertEquals(BOTH_NODES, nodesAnswering(anonymous.cookie(), false), "the pre-login id is dead on every node");
        assertEquals(BOTH_NODES, nodesAnswering(loggedIn.cookie(), true), "the new id is alive on every node");

        submit(By.id("logout-form"));
        Page after = current();
        assertNotNull(browser.findElement(By.id("notice")));
        assertEquals("not logged in", browser.findElement(By.id("user")).getText());
        assertEquals(1, after.visits(), "a new session starts from scratch");
        assertNotEquals(loggedIn.cookie(), after.cookie());
        assertEquals(BOTH_NODES, nodesAnswering(loggedIn.cookie(), false), "the logged-out id is dead on every node");
    }

    @Test
    @Order(4)
    void parallelAjaxRequests_eachChangingItsOwnAttribute_loseNothing() {
        int requests = 30;
        open();
        browser.get(cluster.url().resolve("parallel.html").toString());
        WebElement count = browser.findElement(By.id("count"));
        count.clear();
        count.sendKeys(Integer.toString(requests));
        browser.findElement(By.id("fire")).click();
        WebElement result = wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#result[data-kept]")));
        assertEquals(Integer.toString(requests), result.getDomAttribute("data-total"));
        assertEquals(Integer.toString(requests), result.getDomAttribute("data-kept"), result.getText());
        assertEquals(2, browser.findElements(By.cssSelector("#served tbody tr")).size(),
                "both nodes served some of the parallel requests");

        // Read the session back independently of the page's script.
        browser.get(cluster.url().resolve("api/session").toString());
        String json = browser.findElement(By.tagName("body")).getText();
        Matcher run = Pattern.compile("\"parallel-run\":\"([a-z0-9]+)\"").matcher(json);
        assertTrue(run.find(), json);
        Matcher kept = Pattern.compile("\"parallel-\\d{2}\":\"" + run.group(1) + "\"").matcher(json);
        int found = 0;
        while (kept.find()) {
            found++;
        }
        assertEquals(requests, found, json);
    }

    @Test
    @Order(5)
    void flushedMemcached_losesNoSession_theDurableTierReadsItBack() throws IOException {
        Page before = open();
        assertEquals("on", browser.findElement(By.id("tier")).getText(), "the page says the durable tier is on");
        submit(By.id("store-form"), "name", "kept", "value", "in the database");
        Page stored = current();

        assertEquals("OK", memcached("flush_all"), "memcached flushed");

        Page after = reload();
        assertEquals(stored.cookie(), after.cookie(), "the same session after memcached lost everything");
        assertEquals(stored.visits() + 1, after.visits(), "the counter goes on from where it was");
        assertEquals("in the database", attributeShown("kept"), "the stored value came back from the database");
        assertTrue(after.visits() > before.visits());
    }

    @Test
    @Order(6)
    void livePanel_showsTheCountersOfBothNodes() throws IOException {
        open();
        submit(By.id("store-form"), "name", "cart", "value", "2 books, 1 lamp");
        submit(By.id("login-form"), "user", "alice");
        reload();
        // The panel polls through the balancer; it fills in once both nodes have answered.
        wait.until(d -> d.findElements(By.cssSelector("#metrics tbody tr[data-node]")).size() == 2);
        for (String node : BOTH_NODES) {
            List<WebElement> cells = browser.findElements(
                    By.cssSelector("#metrics tbody tr[data-node='" + node + "'] td"));
            assertEquals(9, cells.size(), node + "'s counters");
            assertTrue(Long.parseLong(cells.get(1).getText()) > 0, node + " loaded sessions");
            assertTrue(Long.parseLong(cells.get(2).getText()) > 0, node + " saved sessions");
            assertEquals("0", cells.get(6).getText(), node + " had no store failures");
            assertTrue(cells.get(7).getText().endsWith(" ms"), node + "'s mean load latency");
            List<WebElement> tier = browser.findElements(
                    By.cssSelector("#tier-metrics tbody tr[data-node='" + node + "'] td"));
            assertEquals(4, tier.size(), node + "'s durable tier counters");
            assertTrue(Long.parseLong(tier.get(1).getText()) > 0, node + " sent statements to the database");
        }
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Path target = Path.of(required("demo.screenshot"));
        Files.createDirectories(target.getParent());
        Files.copy(shot, target, StandardCopyOption.REPLACE_EXISTING);
    }

    // ------------------------------------------------------------------------------------ helpers

    /** What the demo page showed, and the session cookie the browser then held. */
    private record Page(String node, String shortId, int visits, String cookie) {
    }

    private Page open() {
        browser.get(cluster.url().toString());
        return current();
    }

    private Page reload() {
        WebElement old = browser.findElement(By.id("node"));
        browser.navigate().refresh();
        wait.until(ExpectedConditions.stalenessOf(old));
        return current();
    }

    private Page current() {
        WebElement node = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("node")));
        Cookie cookie = browser.manage().getCookieNamed(COOKIE);
        assertNotNull(cookie, "the browser holds a session cookie");
        return new Page(node.getText(), browser.findElement(By.id("session-id")).getText(),
                Integer.parseInt(browser.findElement(By.id("visits")).getText()), cookie.getValue());
    }

    /** Fills the form's fields (name, value pairs), submits it and waits for the page it leads to. */
    private void submit(By form, String... fields) {
        WebElement element = browser.findElement(form);
        for (int i = 0; i < fields.length; i += 2) {
            WebElement input = element.findElement(By.name(fields[i]));
            input.clear();
            input.sendKeys(fields[i + 1]);
        }
        element.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(ExpectedConditions.stalenessOf(element));
        assertTrue(browser.findElements(By.id("error")).isEmpty(), () -> browser.findElement(By.id("error")).getText());
    }

    private String attributeShown(String name) {
        List<WebElement> cells = browser.findElements(By.cssSelector("#attributes tr[data-name='" + name + "'] td.value"));
        return cells.isEmpty() ? null : cells.get(0).getText();
    }

    /**
     * Asks the balancer, outside the browser, whether a request carrying only {@code id} as its session
     * cookie has a session, until both nodes have answered; every answer must be {@code alive}.
     *
     * @return the nodes that answered
     */
    private Set<String> nodesAnswering(String id, boolean alive) throws IOException, InterruptedException {
        Set<String> nodes = new HashSet<>();
        for (int i = 0; i < MAX_RELOADS && !nodes.equals(BOTH_NODES); i++) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(cluster.url().resolve("api/session"))
                    .header("Cookie", COOKIE + "=" + id).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
            String body = response.body();
            assertEquals(200, response.statusCode(), body);
            assertEquals(!alive, body.contains("\"session\":null"), () -> "alive=" + alive + ": " + body);
            Matcher node = Pattern.compile("\"node\":\"([^\"]+)\"").matcher(body);
            assertTrue(node.find(), body);
            nodes.add(node.group(1));
        }
        return nodes;
    }

    /** Sends one command to the cluster's memcached (text protocol) and returns its one-line answer. */
    private String memcached(String command) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), cluster.memcachedPort())) {
            socket.setSoTimeout((int) WAIT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set (the demo-webapp pom sets it)");
        }
        return value;
    }
}
