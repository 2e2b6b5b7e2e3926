package io.memsession.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memsession.it.EventLog.Event;
import jakarta.servlet.DispatcherType;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole {@code HttpSession} contract through memsession, end to end on two nodes of one container
 * (subclasses name it): application listeners named in {@code listeners} and what they hear, binding and
 * activation callbacks on attribute values, access times and what keeps a session alive, the end of a timed
 * out session, forward / include / error / async dispatch, every cookie setting, URL session ids and the
 * container's default timeout.
 *
 * <p>Listeners and attribute values record into {@link EventLog}; tests select the events of their own
 * session ids, and use {@code mark:NAME} probe ops to tell which events happened inside which call.
 * Nodes A and B sweep for expired sessions only once an hour, so that only the tests that start their own
 * sweeping nodes see sweeps (and memcached counters are not disturbed by one).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractSessionContractSuite {

    static final String COOKIE = "JSESSIONID";
    static final String RECORDING = "RecordingSessionListener";
    static final String DUAL = "DualRegisteredListener";
    static final String BOUND = "BoundValue";
    static final String ACTIVATION = "ActivationValue";
    private static final String LISTENERS = "io.memsession.it.RecordingSessionListener, "
            + "io.memsession.it.DualRegisteredListener";
    private static final String ALLOWED = "io.memsession.it.BoundValue io.memsession.it.ActivationValue";
    private static final int WEBAPP_TIMEOUT_MINUTES = 17;

    protected MemcachedProcess memcached;
    protected ContainerNode a;
    protected ContainerNode b;
    /** Nodes C and D, which sweep every second (started by the tests that need them). */
    private ContainerNode sweepingC;
    private ContainerNode sweepingD;
    /** Nodes started by the current test, stopped after it (so that no sweep outlives its test). */
    private final List<ContainerNode> extraNodes = new ArrayList<>();

    protected Browser browser;

    /** The container every node of this suite runs on. */
    protected abstract ContainerNode.Kind kind();

    @BeforeAll
    void startNodes() throws Exception {
        memcached = MemcachedProcess.start();
        a = webapp("A").start();
        b = webapp("B").start();
    }

    @AfterAll
    void stopNodes() throws Exception {
        try {
            stopExtraNodes();
            for (ContainerNode node : new ContainerNode[] {a, b}) {
                if (node != null) {
                    node.stop();
                }
            }
        } finally {
            memcached.close();
        }
    }

    @AfterEach
    void stopExtraNodes() throws Exception {
        try {
            for (ContainerNode node : extraNodes) {
                node.stop();
            }
        } finally {
            extraNodes.clear();
            sweepingC = null;
            sweepingD = null;
        }
    }

    @BeforeEach
    void freshBrowserAndLog() {
        browser = new Browser();
        EventLog.clear();
    }

    /**
     * A node of the webapp under test: the filter mapped for REQUEST, ASYNC and ERROR (as documented), the
     * test listeners named in {@code listeners} and one of them also declared with the container, static
     * paths excluded from keep-alive, and the dispatch, async, error-page and static servlets.
     */
    protected ContainerNode.Builder webapp(String name) {
        return kind().builder(name).contextPath("/app").servers(memcached.address())
                .classLoader(AbstractSessionContractSuite.class.getClassLoader())
                .initParam("allowedClasses", ALLOWED)
                .initParam("listeners", LISTENERS)
                .initParam("keepAliveExclude", "/static/* *.css /favicon.ico")
                .initParam("expirySweepSeconds", "3600")
                .initParam("expiryGraceSeconds", "7200")
                .listener(DualRegisteredListener.class)
                .sessionTimeoutMinutes(WEBAPP_TIMEOUT_MINUTES)
                .dispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR)
                .servlet("dispatch", DispatchServlet.class, false, "/dispatch")
                .servlet("async", AsyncServlet.class, true, "/async")
                .servlet("errorpage", ErrorPageServlet.class, false, "/errorpage")
                .servlet("static", PlainServlet.class, false, "/static/*", "*.css", "/favicon.ico")
                .errorPage(409, "/errorpage");
    }

    /** Starts a node that lives until the end of the current test. */
    protected ContainerNode extra(ContainerNode.Builder builder) throws Exception {
        ContainerNode node = builder.start();
        extraNodes.add(node);
        return node;
    }

    private void startSweepingPair() throws Exception {
        if (sweepingC == null) {
            sweepingC = extra(webapp("C").initParam("expirySweepSeconds", "1").initParam("expiryGraceSeconds", "5"));
            sweepingD = extra(webapp("D").initParam("expirySweepSeconds", "1").initParam("expiryGraceSeconds", "5"));
        }
    }

    // ------------------------------------------------------------------------------------ helpers

    /** Runs probe ops on {@code node} with the shared cookie jar; must answer 200 without any op failing. */
    protected Browser.Response on(ContainerNode node, String... ops) {
        Browser.Response r = browser.get(node.probe(ops));
        assertEquals(200, r.status(), () -> node.name() + " answered " + r);
        assertNull(r.p("error"), () -> "an op failed on " + node.name() + ": " + r);
        return r;
    }

    /** Creates a session on {@code node} running {@code ops} after {@code get:true}; returns its id. */
    protected String create(ContainerNode node, String... ops) {
        List<String> all = new ArrayList<>(List.of("get:true"));
        all.addAll(List.of(ops));
        String id = on(node, all.toArray(String[]::new)).p("id");
        assertNotNull(id);
        assertEquals(id, browser.cookie(COOKIE).orElse(null), "the cookie carries the session id");
        return id;
    }

    protected static long mark(Browser.Response r, String name) {
        String v = r.p("mark." + name);
        assertNotNull(v, () -> "no mark " + name + " in " + r);
        return Long.parseLong(v);
    }

    /** Events of {@code source} about session {@code id} with {@code after < seq <= upTo}. */
    protected static List<Event> heard(String source, String id, long after, long upTo) {
        return EventLog.where(e -> e.source().equals(source) && id.equals(e.sessionId()) && e.seq() > after
                && e.seq() <= upTo);
    }

    /** Every event of {@code source} about any of {@code ids}. */
    protected static List<Event> heard(String source, String... ids) {
        Set<String> wanted = Set.of(ids);
        return EventLog.where(e -> e.source().equals(source) && wanted.contains(e.sessionId()));
    }

    protected static List<String> types(List<Event> events) {
        return events.stream().map(Event::type).toList();
    }

    protected static long count(String source, String type, String id) {
        return heard(source, id).stream().filter(e -> e.type().equals(type)).count();
    }

    protected static Event only(List<Event> events, Predicate<Event> which, String what) {
        List<Event> found = events.stream().filter(which).toList();
        assertEquals(1, found.size(), () -> "exactly one " + what + " in " + found + "\n" + EventLog.dump());
        return found.get(0);
    }

    protected String key(String id) {
        return ItSupport.storedKey("memsession:/app:", id);
    }

    protected static String randomWellFormedId() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Attribute parts of one Set-Cookie header: lower-case name to value ("" for a flag), in order. */
    protected static Map<String, String> cookieAttributes(String setCookie) {
        Map<String, String> out = new LinkedHashMap<>();
        String[] parts = setCookie.split(";");
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            int eq = p.indexOf('=');
            String name = (eq < 0 ? p : p.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? "" : p.substring(eq + 1).trim();
            assertFalse(out.containsKey(name), () -> "attribute " + name + " twice in " + setCookie);
            out.put(name, value);
        }
        return out;
    }

    /** Waits until {@code condition}; returns how long it took. */
    protected static long awaitMillis(Duration deadline, String what, java.util.function.BooleanSupplier condition) {
        long start = System.nanoTime();
        ItSupport.pollUntil(deadline, what, condition);
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    // ------------------------------------------------------------------------------------ configuration

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"io.memsession.it.NotASessionListener", "io.memsession.it.NoSuchListenerClass"})
    void listenersNamingAClassThatIsNoSessionListenerOrMissing_failsStartup_namingListeners(String bad) {
        ContainerNode node = kind().builder("bad-listeners").servers(memcached.address())
                .classLoader(AbstractSessionContractSuite.class.getClassLoader()).initParam("listeners", "io.memsession.it.RecordingSessionListener " + bad).build();
        Exception e = assertThrows(Exception.class, node::start, "the webapp must not start");
        String messages = ItSupport.messages(e);
        assertTrue(messages.contains("listeners"), () -> "start-up failure must name 'listeners':\n" + messages);
        assertTrue(messages.contains(bad), () -> "start-up failure must name the class:\n" + messages);
    }

    @Test
    void noSessionTimeoutConfigured_newSessionsGetThirtyMinutes_onBothNodes() throws Exception {
        ContainerNode plainA = extra(kind().builder("N1").servers(memcached.address()).contextPath("/bare"));
        ContainerNode plainB = extra(kind().builder("N2").servers(memcached.address()).contextPath("/bare"));
        Browser.Response created = browser.get(plainA.probe("get:true", "maxInactive"));
        assertEquals(200, created.status(), created::toString);
        assertEquals("1800", created.p("maxInactive"), created::toString);
        Browser.Response onB = browser.get(plainB.probe("get:false", "maxInactive"));
        assertEquals("present", onB.p("session"), onB::toString);
        assertEquals("1800", onB.p("maxInactive"), onB::toString);
    }

    // ------------------------------------------------------------------------------------ sessionCreated

    @Test
    void sessionCreated_firesOnceInsideTheCreatingGetSession_neverWhenTheOtherNodeResumesIt() {
        Browser.Response r = on(a, "mark:before", "get:false", "mark:noSession", "get:true", "mark:created",
                "get:true", "get:default", "set:x:string:1", "mark:after");
        String id = r.p("id");
        long before = mark(r, "before");
        long noSession = mark(r, "noSession");
        long created = mark(r, "created");
        long after = mark(r, "after");
        assertEquals(List.of(), EventLog.where(e -> e.seq() > before && e.seq() <= noSession
                && e.type().equals("sessionCreated")), "getSession(false) without a session creates none");
        Event event = only(heard(RECORDING, id, noSession, created), e -> true, "event inside getSession(true)");
        assertEquals("sessionCreated", event.type(), event::toString);
        assertEquals("A", event.node(), event::toString);
        assertEquals(List.of("attributeAdded"), types(heard(RECORDING, id, created, after)),
                "later getSession calls create nothing");

        on(b, "get:false", "get:true", "attr:x");
        on(a, "get:true", "attr:x");
        on(b, "get:default", "set:x:string:2");
        assertEquals(1, count(RECORDING, "sessionCreated", id), EventLog::dump);
    }

    @Test
    void listenersAreCreatedOnce_atFilterInit_perNode() {
        create(a, "set:x:string:1");
        browser.clearCookies();
        create(a, "set:x:string:2");
        on(b, "get:false", "set:x:string:3");
        Set<Integer> onA = EventLog.where(e -> e.source().equals(RECORDING) && "A".equals(e.node())).stream()
                .map(Event::instance).collect(Collectors.toSet());
        Set<Integer> onB = EventLog.where(e -> e.source().equals(RECORDING) && "B".equals(e.node())).stream()
                .map(Event::instance).collect(Collectors.toSet());
        assertEquals(1, onA.size(), EventLog::dump);
        assertEquals(1, onB.size(), EventLog::dump);
    }

    // ------------------------------------------------------------------------------------ invalidate

    @Test
    void invalidate_firesSessionDestroyedInsideIt_withAttributesReadable_thenUnbindsAndRemovesEachAttribute() {
        String id = create(a, "set:a:string:1", "set:bv:bound:one");
        Browser.Response r = on(b, "get:false", "mark:m0", "invalidate", "mark:m1");
        long m0 = mark(r, "m0");
        long m1 = mark(r, "m1");
        List<Event> inside = EventLog.where(e -> id.equals(e.sessionId()) && e.seq() > m0 && e.seq() <= m1);

        Event destroyed = only(inside, e -> e.source().equals(RECORDING) && e.type().equals("sessionDestroyed"),
                "sessionDestroyed");
        assertAll(destroyed.toString(),
            () -> assertEquals("B", destroyed.node()),
            () -> assertTrue(destroyed.readable(), "attributes readable in sessionDestroyed: " + destroyed),
            () -> assertEquals(Map.of("a", "1", "bv", "Bound[one]"), destroyed.attributes()));

        List<Event> removed = inside.stream()
                .filter(e -> e.source().equals(RECORDING) && e.type().equals("attributeRemoved")).toList();
        assertEquals(Map.of("a", "1", "bv", "Bound[one]"),
                removed.stream().collect(Collectors.toMap(Event::name, Event::value)), inside::toString);
        Event unbound = only(inside, e -> e.source().equals(BOUND) && e.type().equals("valueUnbound"),
                "valueUnbound of bv");
        Event removedBv = only(removed, e -> e.name().equals("bv"), "attributeRemoved of bv");
        assertAll(inside.toString(),
            () -> assertTrue(removed.stream().allMatch(e -> e.seq() > destroyed.seq()),
                    "attributes are removed after sessionDestroyed"),
            () -> assertTrue(unbound.seq() > destroyed.seq(), "valueUnbound after sessionDestroyed"),
            () -> assertTrue(unbound.seq() < removedBv.seq(), "binding event before attribute-listener event"),
            () -> assertEquals("bv", unbound.name()));

        // listeners hear sessionDestroyed in reverse order of declaration (DUAL is declared second)
        Event dualDestroyed = only(inside, e -> e.source().equals(DUAL) && e.type().equals("sessionDestroyed"),
                "sessionDestroyed heard by the second listener");
        assertTrue(dualDestroyed.seq() < destroyed.seq(), inside::toString);

        // nobody announces the end a second time
        assertEquals("null", on(a, "get:false").p("session"));
        assertEquals("null", on(b, "get:false").p("session"));
        assertEquals(1, count(RECORDING, "sessionDestroyed", id), EventLog::dump);
    }

    // ------------------------------------------------------------------------------------ attribute events

    @Test
    void attributeListener_hearsAddedReplacedWithOldValueAndRemoved_includingSetAttributeNull() {
        Browser.Response r = on(a, "get:true", "mark:0", "set:n:string:v1", "mark:1", "set:n:string:v2", "mark:2",
                "remove:n", "mark:3", "set:m:string:w", "mark:4", "set:m:null", "mark:5", "remove:absent",
                "set:absent2:null", "mark:6");
        String id = r.p("id");
        List<List<Event>> windows = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            windows.add(heard(RECORDING, id, mark(r, Integer.toString(i)), mark(r, Integer.toString(i + 1))));
        }
        assertAll(EventLog.dump(),
            () -> assertEvent(windows.get(0), "attributeAdded", "n", "v1", "current=v1"),
            () -> assertEvent(windows.get(1), "attributeReplaced", "n", "v1", "current=v2"),
            () -> assertEvent(windows.get(2), "attributeRemoved", "n", "v2", "current=null"),
            () -> assertEvent(windows.get(3), "attributeAdded", "m", "w", "current=w"),
            () -> assertEvent(windows.get(4), "attributeRemoved", "m", "w", "current=null"),
            () -> assertEquals(List.of(), windows.get(5), "removing what is not there is no event"));
    }

    private static void assertEvent(List<Event> window, String type, String name, String value, String note) {
        assertEquals(1, window.size(), window::toString);
        Event e = window.get(0);
        assertEquals(List.of(type, name, value, note), List.of(e.type(), e.name(), e.value(), e.note()),
                e::toString);
    }

    @Test
    void attributeReplacedOnTheOtherNode_carriesTheStoredOldValue() {
        String id = create(a, "set:n:string:fromA");
        Browser.Response r = on(b, "get:false", "mark:0", "set:n:string:fromB", "mark:1", "remove:n", "mark:2");
        assertAll(EventLog.dump(),
            () -> assertEvent(heard(RECORDING, id, mark(r, "0"), mark(r, "1")), "attributeReplaced", "n", "fromA",
                    "current=fromB"),
            () -> assertEvent(heard(RECORDING, id, mark(r, "1"), mark(r, "2")), "attributeRemoved", "n", "fromB",
                    "current=null"));
    }

    // ------------------------------------------------------------------------------------ binding listener

    @Test
    void bindingListener_valueBoundBeforeTheValueIsVisible_thenAttributeAdded() {
        Browser.Response r = on(a, "get:true", "mark:0", "set:bv:bound:one", "mark:1", "attr:bv");
        String id = r.p("id");
        List<Event> window = EventLog.where(e -> id.equals(e.sessionId()) && e.seq() > mark(r, "0")
                && e.seq() <= mark(r, "1"));
        Event bound = only(window, e -> e.type().equals("valueBound"), "valueBound");
        Event added = only(window, e -> e.source().equals(RECORDING) && e.type().equals("attributeAdded"),
                "attributeAdded");
        assertAll(window.toString(),
            () -> assertEquals(List.of("bv", "Bound[one]"), List.of(bound.name(), bound.value())),
            () -> assertEquals("visible=null", bound.note(), "valueBound runs before getAttribute returns it"),
            () -> assertTrue(bound.seq() < added.seq(), "binding event before attribute-listener event"),
            () -> assertEquals("current=Bound[one]", added.note()),
            () -> assertEquals("Bound[one]", r.p("attr.bv")));
    }

    @Test
    void bindingListener_replaceBindsTheNewValueAndUnbindsTheOld_beforeAttributeReplaced() {
        String id = create(a, "set:bv:bound:one");
        Browser.Response r = on(b, "get:false", "mark:0", "set:bv:bound:two", "mark:1");
        List<Event> window = EventLog.where(e -> id.equals(e.sessionId()) && e.seq() > mark(r, "0")
                && e.seq() <= mark(r, "1"));
        Event bound = only(window, e -> e.type().equals("valueBound"), "valueBound");
        Event unbound = only(window, e -> e.type().equals("valueUnbound"), "valueUnbound");
        Event replaced = only(window, e -> e.source().equals(RECORDING) && e.type().equals("attributeReplaced"),
                "attributeReplaced");
        assertAll(window.toString(),
            () -> assertEquals("Bound[two]", bound.value()),
            () -> assertEquals("visible=other:Bound[one]", bound.note(), "the new value is not visible yet"),
            () -> assertEquals("Bound[one]", unbound.value()),
            () -> assertEquals("visible=other:Bound[two]", unbound.note(), "the old value is gone when unbound"),
            () -> assertEquals("Bound[one]", replaced.value(), "attributeReplaced carries the old value"),
            () -> assertTrue(bound.seq() < replaced.seq() && unbound.seq() < replaced.seq(),
                    "binding events before the attribute-listener event"));
    }

    @Test
    void bindingListener_removeAndSetNull_unbindAfterTheValueIsGone_thenAttributeRemoved() {
        String id = create(a, "set:bv:bound:one", "set:bw:bound:two");
        Browser.Response r = on(b, "get:false", "mark:0", "remove:bv", "mark:1", "set:bw:null", "mark:2");
        for (String[] step : new String[][] {{"0", "1", "bv", "Bound[one]"}, {"1", "2", "bw", "Bound[two]"}}) {
            List<Event> window = EventLog.where(e -> id.equals(e.sessionId()) && e.seq() > mark(r, step[0])
                    && e.seq() <= mark(r, step[1]));
            Event unbound = only(window, e -> e.type().equals("valueUnbound"), "valueUnbound of " + step[2]);
            Event removed = only(window, e -> e.source().equals(RECORDING) && e.type().equals("attributeRemoved"),
                    "attributeRemoved of " + step[2]);
            assertAll(window.toString(),
                () -> assertEquals(step[2], unbound.name()),
                () -> assertEquals(step[3], unbound.value()),
                () -> assertEquals("visible=null", unbound.note(), "valueUnbound after the value is gone"),
                () -> assertEquals(step[3], removed.value()),
                () -> assertTrue(unbound.seq() < removed.seq(), "binding event before attribute-listener event"),
                () -> assertEquals(List.of(), window.stream().filter(e -> e.type().equals("valueBound")).toList()));
        }
    }

    @Test
    void loadingASessionOnTheOtherNode_bindsNothing_andFiresNoAttributeEvents() {
        String id = create(a, "set:bv:bound:one", "set:s:string:x");
        Browser.Response r = on(b, "mark:0", "get:false", "attr:bv", "names", "attr:s", "mark:1");
        assertEquals("Bound[one]", r.p("attr.bv"));
        List<Event> window = EventLog.where(e -> id.equals(e.sessionId()) && e.seq() > mark(r, "0")
                && e.seq() <= mark(r, "1") && !e.source().equals(ACTIVATION));
        assertEquals(List.of(), window, "a load is no binding and no attribute change");
    }

    // ------------------------------------------------------------------------------------ id listener

    @Test
    void changeSessionId_firesSessionIdChangedInsideIt_withTheOldId() {
        String old = create(a, "set:x:string:1");
        Browser.Response r = on(b, "get:false", "mark:0", "changeId", "mark:1");
        String fresh = r.p("changeId.new");
        Event changed = only(heard(RECORDING, fresh, mark(r, "0"), mark(r, "1")), e -> true,
                "event inside changeSessionId");
        assertAll(changed.toString(),
            () -> assertEquals("sessionIdChanged", changed.type()),
            () -> assertEquals("oldId=" + old, changed.note()),
            () -> assertEquals("B", changed.node()));
        List<String> lifecycle = types(heard(RECORDING, old, fresh)).stream()
                .filter(t -> t.equals("sessionCreated") || t.equals("sessionDestroyed")).toList();
        assertEquals(List.of("sessionCreated"), lifecycle, "an id change neither ends nor starts a session");
    }

    // ------------------------------------------------------------------------------------ activation

    @Test
    void activationListener_willPassivateBeforeTheSessionIsStored_didActivateAfterItIsLoadedOnTheOtherNode() {
        String id = create(a, "set:act:activation:one");
        Browser.Response r = on(b, "mark:0", "get:false", "mark:1", "attr:act");
        List<Event> events = heard(ACTIVATION, id);
        Event passivated = events.stream().filter(e -> e.type().equals("sessionWillPassivate")
                && "A".equals(e.node())).findFirst().orElseThrow(() -> new AssertionError(EventLog.dump()));
        Event activated = only(heard(ACTIVATION, id, mark(r, "0"), mark(r, "1")),
                e -> e.type().equals("sessionDidActivate"), "sessionDidActivate while B loads the session");
        assertAll(EventLog.dump(),
            () -> assertEquals("B", activated.node()),
            () -> assertTrue(passivated.seq() < activated.seq()),
            () -> assertEquals("Activation[one,passivatedOn=A,activatedOn=B]", r.p("attr.act"),
                    "the value stored by A was passivated first; B activated it before the application saw it"));
    }

    // ------------------------------------------------------------------------------------ dual registration

    @Test
    void listenerDeclaredWithTheContainerAndInListeners_hearsEachEventExactlyOnce() {
        String old = create(a, "set:x:string:1", "set:x:string:2", "remove:x");
        String fresh = on(b, "get:false", "changeId").p("changeId.new");
        on(a, "get:false", "invalidate");
        List<String> expected = List.of("sessionCreated", "attributeAdded", "attributeReplaced", "attributeRemoved",
                "sessionIdChanged", "sessionDestroyed");
        assertEquals(expected, types(heard(DUAL, old, fresh)), EventLog::dump);
        assertEquals(expected, types(heard(RECORDING, old, fresh)), EventLog::dump);
    }

    // ------------------------------------------------------------------------------------ access times

    @Test
    void lastAccessedTime_isWhenThePreviousRequestWasReceived_onWhicheverNode_andStableWithinARequest() {
        long send1 = System.currentTimeMillis();
        Browser.Response first = on(a, "get:true", "creationTime", "lastAccessedTime", "set:x:string:1");
        long end1 = System.currentTimeMillis();
        long creation = Long.parseLong(first.p("creationTime"));
        assertEquals(creation, Long.parseLong(first.p("lastAccessedTime")), "a new session: its creation time");

        MemcachedProcess.pause(30);
        long send2 = System.currentTimeMillis();
        Browser.Response second = on(a, "get:false", "lastAccessedTime");
        long end2 = System.currentTimeMillis();
        long accessed2 = Long.parseLong(second.p("lastAccessedTime"));
        assertTrue(accessed2 >= send1 - 5 && accessed2 <= end1,
                () -> "previous request ran " + send1 + ".." + end1 + ", lastAccessedTime " + accessed2);

        MemcachedProcess.pause(30);
        long send3 = System.currentTimeMillis();
        Browser.Response third = on(b, "get:false", "lastAccessedTime:first", "attr:x", "set:y:string:2",
                "get:true", "lastAccessedTime:second", "creationTime");
        long accessed3 = Long.parseLong(third.p("lastAccessedTime.first"));
        assertAll(third.toString(),
            () -> assertTrue(accessed3 >= send2 - 5 && accessed3 <= end2,
                    "previous request (on A) ran " + send2 + ".." + end2 + ", B says " + accessed3),
            () -> assertTrue(accessed3 < send3, "not this request's time"),
            () -> assertEquals(third.p("lastAccessedTime.first"), third.p("lastAccessedTime.second"),
                    "unchanged by get/set within the request"),
            () -> assertEquals(Long.toString(creation), third.p("creationTime")));
    }

    /** Creates a session with a short interval and uses it a second time (see behaviour.md: keep-alive). */
    private String shortLivedSession(int intervalSeconds) {
        String id = create(a, "set:x:string:kept", "setMaxInactive:" + intervalSeconds);
        assertEquals("kept", on(b, "get:false", "attr:x").p("attr.x"));
        return id;
    }

    @Test
    void requestsThatNeverCallGetSession_keepTheSessionAlivePastItsInterval() {
        shortLivedSession(2);
        long end = System.nanoTime() + Duration.ofMillis(3200).toNanos();
        int i = 0;
        while (System.nanoTime() < end) {
            ContainerNode node = i++ % 2 == 0 ? a : b;
            Browser.Response plain = browser.get(node.url(ContainerNode.PLAIN));
            assertEquals("ok", plain.p("plain"), plain::toString);
            assertEquals(List.of(), plain.setCookies(COOKIE), "keep-alive sends no cookie");
            MemcachedProcess.pause(200);
        }
        Browser.Response r = on(a, "get:false", "attr:x");
        assertEquals("present", r.p("session"), () -> "3.2 s of PlainServlet requests, interval 2 s: " + r);
        assertEquals("kept", r.p("attr.x"));
    }

    /**
     * Spec 7.6 right after creation: a session whose only later requests never call getSession is
     * still accessed by each of them (the creating request wrote its access record beside it).
     */
    @Test
    void newSession_whoseLaterRequestsNeverCallGetSession_staysAliveWhileTheyKeepComing() {
        create(a, "set:x:string:kept", "setMaxInactive:2");
        long end = System.nanoTime() + Duration.ofMillis(3600).toNanos();
        int i = 0;
        while (System.nanoTime() < end) {
            ContainerNode node = i++ % 2 == 0 ? b : a;
            Browser.Response plain = browser.get(node.url(ContainerNode.PLAIN));
            assertEquals("ok", plain.p("plain"), plain::toString);
            MemcachedProcess.pause(400);
        }
        Browser.Response r = on(b, "get:false", "attr:x");
        assertEquals("present", r.p("session"), () -> "3.6 s of PlainServlet requests, interval 2 s: " + r);
        assertEquals("kept", r.p("attr.x"));
    }

    @Test
    void accessWritesNoreply_readsAndPlainRequestsOnEitherNode_keepTheSessionAlive() throws Exception {
        ContainerNode c = extra(webapp("C").initParam("accessWrites", "noreply"));
        ContainerNode d = extra(webapp("D").initParam("accessWrites", "noreply"));
        create(c, "set:x:string:kept", "setMaxInactive:2");
        for (boolean plain : new boolean[] {false, true}) {
            // 3.6 s of one kind of request, interval 2 s: only their access writes can keep it alive
            long end = System.nanoTime() + Duration.ofMillis(3600).toNanos();
            int i = 0;
            while (System.nanoTime() < end) {
                ContainerNode node = i++ % 2 == 0 ? d : c;
                if (plain) {
                    assertEquals("ok", browser.get(node.url(ContainerNode.PLAIN)).p("plain"));
                } else {
                    assertEquals("kept", on(node, "get:false", "attr:x").p("attr.x"));
                }
                MemcachedProcess.pause(400);
            }
            Browser.Response r = on(c, "get:false", "attr:x");
            assertEquals("present", r.p("session"), () -> (plain ? "plain requests" : "reads") + ": " + r);
            assertEquals("kept", r.p("attr.x"));
        }
    }

    @Test
    void accessWritesNoreply_withLocks_releasesEveryLock_soTheOtherNodeNeverWaitsForItsExpiry() throws Exception {
        ContainerNode c = extra(webapp("C").initParam("accessWrites", "noreply").initParam("concurrency", "lock")
                .initParam("lockTimeoutMillis", "1000"));
        ContainerNode d = extra(webapp("D").initParam("accessWrites", "noreply").initParam("concurrency", "lock")
                .initParam("lockTimeoutMillis", "1000"));
        String id = create(c, "set:n:int:0");
        for (int i = 1; i <= 20; i++) {
            ContainerNode node = i % 2 == 0 ? c : d;
            Browser.Response r = i % 3 == 0 ? on(node, "get:false", "attr:n")
                    : on(node, "get:false", "set:n:int:" + i);
            assertEquals("present", r.p("session"), r::toString);
        }
        assertEquals("20", on(c, "get:false", "attr:n").p("attr.n"));
        awaitMillis(Duration.ofSeconds(2), "the last request's lock released",
                () -> memcached.rawGet(key(id) + ".l") == null);
    }

    @Test
    void requestsUnderKeepAliveExclude_doNotKeepTheSessionAlive_andCostNoMemcachedOperation() {
        shortLivedSession(2);
        List<String> excluded = List.of("/static/app.js", "/site.css", "/favicon.ico", "/static/img/logo.png");
        long end = System.nanoTime() + Duration.ofMillis(3200).toNanos();
        int i = 0;
        while (System.nanoTime() < end) {
            ContainerNode node = i % 2 == 0 ? a : b;
            String path = excluded.get(i++ % excluded.size());
            Map<String, Long> before = memcached.stats();
            Browser.Response r = browser.get(node.url(path));
            Map<String, Long> after = memcached.stats();
            assertEquals("ok", r.p("plain"), r::toString);
            for (String stat : List.of("cmd_get", "cmd_set", "cmd_touch", "delete_hits", "delete_misses")) {
                assertEquals(before.get(stat), after.get(stat), () -> stat + " for excluded " + path);
            }
            MemcachedProcess.pause(200);
        }
        Browser.Response r = on(a, "get:false", "requested");
        assertEquals("null", r.p("session"), () -> "excluded requests must not keep it alive: " + r);
        assertEquals("false", r.p("requestedValid"));
    }

    @Test
    void keepAlive_neverBringsBackAnInvalidatedSession() {
        String id = shortLivedSession(600);
        on(b, "get:false", "invalidate");
        for (ContainerNode node : List.of(a, b, a)) {
            assertEquals("ok", browser.get(node.url(ContainerNode.PLAIN)).p("plain"));
        }
        assertNull(memcached.rawGet(key(id)), "the document stays deleted");
        for (ContainerNode node : List.of(a, b)) {
            Browser.Response r = on(node, "get:false", "requested");
            assertEquals("null", r.p("session"), r::toString);
            assertEquals("false", r.p("requestedValid"), r::toString);
        }
    }

    @Test
    void keepAlive_neverBringsBackAnExpiredSession() {
        shortLivedSession(1);
        MemcachedProcess.pause(2200); // idle past the 1 s interval
        for (ContainerNode node : List.of(a, b, a, b)) {
            assertEquals("ok", browser.get(node.url(ContainerNode.PLAIN)).p("plain"));
        }
        for (ContainerNode node : List.of(a, b)) {
            Browser.Response r = on(node, "get:false", "requested");
            assertEquals("null", r.p("session"), r::toString);
            assertEquals("false", r.p("requestedValid"), r::toString);
        }
    }

    // ------------------------------------------------------------------------------------ timed-out sessions

    @Test
    void timedOutSession_whoseIdComesBack_firesSessionDestroyedOnce_withAttributesReadable() {
        String id = create(a, "set:a:string:1", "set:bv:bound:one", "setMaxInactive:1");
        on(b, "get:false", "attr:a"); // both nodes served it; neither sweeps during this test
        MemcachedProcess.pause(2200);
        Browser.Response back = on(b, "get:false", "requested");
        assertEquals("null", back.p("session"), back::toString);
        assertEquals("false", back.p("requestedValid"), back::toString);
        awaitMillis(Duration.ofSeconds(2), "sessionDestroyed of the expired session",
                () -> count(RECORDING, "sessionDestroyed", id) > 0);
        assertEquals("null", on(a, "get:false").p("session"));
        assertEquals("null", on(b, "get:false").p("session"));
        MemcachedProcess.pause(300);
        Event destroyed = only(heard(RECORDING, id), e -> e.type().equals("sessionDestroyed"),
                "sessionDestroyed across both nodes");
        assertTrue(destroyed.readable(), destroyed::toString);
        assertEquals(Map.of("a", "1", "bv", "Bound[one]"), destroyed.attributes(), destroyed::toString);
        Event unbound = only(heard(BOUND, id), e -> e.type().equals("valueUnbound"), "valueUnbound");
        assertTrue(unbound.seq() > destroyed.seq(), EventLog::dump);
    }

    @Test
    void timedOutSession_thatNobodyComesBackFor_isAnnouncedOnceByTheSweep_withAttributesReadable()
            throws Exception {
        startSweepingPair();
        Browser.Response r = browser.get(sweepingC.probe("get:true", "set:a:string:1", "set:bv:bound:one",
                "setMaxInactive:1"));
        String id = r.p("id");
        assertNotNull(id, r::toString);
        Browser.Response read = browser.get(sweepingD.probe("get:false", "attr:a"));
        long lastUseEnded = System.currentTimeMillis();
        assertEquals("1", read.p("attr.a"), read::toString);

        // expiry at lastUse + 1 s; announced within one sweep (1 s) plus the sweep's own time
        long waited = awaitMillis(Duration.ofMillis(1000 + 1000 + 1500), "the sweep announces the end",
                () -> count(RECORDING, "sessionDestroyed", id) > 0);
        long sinceExpiry = System.currentTimeMillis() - (lastUseEnded + 1000);
        System.out.println(kind() + ": sweep announced an expired session " + sinceExpiry + " ms after expiry"
                + " (waited " + waited + " ms)");
        MemcachedProcess.pause(2100); // two more sweeps on both nodes: still only one announcement
        Event destroyed = only(heard(RECORDING, id), e -> e.type().equals("sessionDestroyed"),
                "sessionDestroyed across both nodes");
        assertTrue(destroyed.readable(), destroyed::toString);
        assertEquals(Map.of("a", "1", "bv", "Bound[one]"), destroyed.attributes(), destroyed::toString);
        assertEquals(1, count(DUAL, "sessionDestroyed", id), EventLog::dump);

        Browser.Response back = browser.get(sweepingC.probe("get:false", "requested"));
        assertEquals("null", back.p("session"), back::toString);
        MemcachedProcess.pause(200);
        assertEquals(1, count(RECORDING, "sessionDestroyed", id), EventLog::dump);
    }

    @Test
    void timedOutSession_comingBackOnBothNodesWhileTheySweep_isStillAnnouncedOnce() throws Exception {
        startSweepingPair();
        Browser.Response r = browser.get(sweepingC.probe("get:true", "set:a:string:1", "setMaxInactive:1"));
        String id = r.p("id");
        assertNotNull(id, r::toString);
        browser.get(sweepingD.probe("get:false"));
        MemcachedProcess.pause(1100); // just expired: the sweeps and the returning id race for the claim
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Browser.Response>> answers = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                ContainerNode node = i % 2 == 0 ? sweepingC : sweepingD;
                String path = node.probePath("get:false");
                int port = node.port();
                answers.add(pool.submit(() -> Browser.rawWithCookie(port, path, COOKIE + "=" + id)));
                if (i % 4 == 3) {
                    MemcachedProcess.pause(250);
                }
            }
            for (Future<Browser.Response> answer : answers) {
                Browser.Response back = answer.get(20, TimeUnit.SECONDS);
                assertEquals("null", back.p("session"), back::toString);
            }
        } finally {
            pool.shutdownNow();
        }
        awaitMillis(Duration.ofSeconds(3), "the end is announced",
                () -> count(RECORDING, "sessionDestroyed", id) > 0);
        MemcachedProcess.pause(1500); // at least one more sweep on each node
        assertEquals(1, count(RECORDING, "sessionDestroyed", id), EventLog::dump);
        assertEquals(1, count(DUAL, "sessionDestroyed", id), EventLog::dump);
    }

    // ------------------------------------------------------------------------------------ dispatch

    private Browser.Response dispatch(ContainerNode node, String mode, String... targetOps) {
        StringBuilder target = new StringBuilder(ContainerNode.PROBE + "?x=1");
        for (String op : targetOps) {
            target.append("&do=").append(URLEncoder.encode(op, StandardCharsets.UTF_8));
        }
        Browser.Response r = browser.get(node.url("/dispatch?mode=" + mode + "&target="
                + URLEncoder.encode(target.toString(), StandardCharsets.UTF_8)));
        assertEquals(200, r.status(), r::toString);
        assertNull(r.p("error"), r::toString);
        return r;
    }

    private void assertDispatchSharesTheSession(ContainerNode node, ContainerNode other, String mode) {
        Browser.Response r = dispatch(node, mode, "get:false", "hash", "reqattr:dispatcher.sessionHash",
                "reqattr:dispatcher.sessionId", "attr:dispatcher", "set:target:string:" + mode + "ed");
        String id = r.p("id");
        assertAll(r.toString(),
            () -> assertEquals("present", r.p("session")),
            () -> assertEquals(r.p("reqattr.dispatcher.sessionId"), id),
            () -> assertEquals(r.p("reqattr.dispatcher.sessionHash"), r.p("hash"), "the very same session object"),
            () -> assertEquals(mode, r.p("attr.dispatcher"), "the target sees the dispatcher's change"),
            () -> assertEquals(id, browser.cookie(COOKIE).orElse(null)));
        if (mode.equals("include")) {
            assertEquals("true", r.p("dispatcher.after.sameObject"), r::toString);
            assertEquals("dispatcher,target", r.p("dispatcher.after.names"), r::toString);
        }
        Browser.Response next = browser.get(other.probe("get:false", "attr:dispatcher", "attr:target"));
        assertEquals(id, next.p("id"), next::toString);
        assertEquals(mode, next.p("attr.dispatcher"), next::toString);
        assertEquals(mode + "ed", next.p("attr.target"), next::toString);
        assertEquals(0, node.containerSessionsCreated(), "container sessions on " + node.name());
    }

    @ParameterizedTest
    @ValueSource(strings = {"forward", "include"})
    void dispatchTarget_seesTheSameSession_andItsChangesAreSaved(String mode) {
        assertDispatchSharesTheSession(a, b, mode);
    }

    @ParameterizedTest
    @ValueSource(strings = {"forward", "include"})
    void dispatchTarget_withTheFilterMappedForEveryDispatcherType_stillSeesOneSession(String mode) throws Exception {
        ContainerNode all = extra(webapp("F-" + mode).dispatcherTypes(DispatcherType.REQUEST,
                DispatcherType.FORWARD, DispatcherType.INCLUDE, DispatcherType.ERROR, DispatcherType.ASYNC));
        assertDispatchSharesTheSession(all, b, mode);
    }

    @Test
    void errorPage_seesTheSession_includingChangesMadeBeforeSendError() {
        String id = create(a, "set:who:string:alice");
        Browser.Response r = browser.get(b.probe("get:false", "set:beforeError:string:set", "error:409"));
        assertAll(r.toString(),
            () -> assertEquals(409, r.status()),
            () -> assertEquals("ERROR", r.p("errorpage.dispatcherType")),
            () -> assertEquals("present", r.p("errorpage.session")),
            () -> assertEquals(id, r.p("errorpage.id")),
            () -> assertEquals("alice", r.p("errorpage.attr.who")),
            () -> assertEquals("set", r.p("errorpage.attr.beforeError")));
        assertEquals(0, b.containerSessionsCreated());
    }

    @Test
    void errorPage_seesASessionCreatedByTheFailingRequest() {
        Browser.Response r = browser.get(b.probe("get:true", "set:beforeError:string:new", "error:409"));
        String id = browser.cookie(COOKIE).orElse(null);
        assertNotNull(id, r::toString);
        assertAll(r.toString(),
            () -> assertEquals(409, r.status()),
            () -> assertEquals("present", r.p("errorpage.session")),
            () -> assertEquals(id, r.p("errorpage.id")),
            () -> assertEquals("new", r.p("errorpage.attr.beforeError")));
        assertEquals("new", on(a, "get:false", "attr:beforeError").p("attr.beforeError"));
        assertEquals(0, b.containerSessionsCreated());
    }

    @Test
    void errorPage_changesItMakesAreSaved() {
        create(a, "set:who:string:alice");
        Browser.Response r = browser.get(b.probe("get:false", "error:409") + "&errorWrite=seen");
        assertEquals(409, r.status(), r::toString);
        assertEquals("seen", r.p("errorpage.wrote"), r::toString);
        assertEquals("seen", on(a, "get:false", "attr:errorPageSaw").p("attr.errorPageSaw"));
    }

    /**
     * The async servlet commits its response head, starts async and returns (so the filter's first pass
     * ends); only then, released by the test, another thread sets the attribute and completes.
     */
    @ParameterizedTest
    @ValueSource(strings = {"captured", "asyncContext"})
    void asyncRequest_changeMadeOnAnotherThreadBeforeComplete_isSaved_andVisibleOnTheOtherNode(String via)
            throws Exception {
        create(a, "set:x:string:1");
        String hold = kind() + "-async-" + via;
        ProbeServlet.arm(hold);
        HttpResponse<InputStream> head;
        Browser.Response meanwhile;
        try {
            CompletableFuture<HttpResponse<InputStream>> pending = browser.getStreaming(
                    b.url("/async?hold=" + hold + "&name=async&value=done&via=" + via));
            head = pending.get(10, TimeUnit.SECONDS);
            MemcachedProcess.pause(100); // let the first pass through the filter return
            meanwhile = on(a, "get:false", "attr:async");
        } finally {
            ProbeServlet.release(hold);
        }
        Browser.Response whole = Browser.finish(head);
        assertAll(whole.toString(),
            () -> assertEquals(200, whole.status()),
            () -> assertEquals("sent", whole.p("async.head")),
            () -> assertEquals("true", whole.p("async.released")),
            () -> assertNull(whole.p("async.error")),
            () -> assertEquals("present", whole.p("async.session")),
            () -> assertTrue(whole.p("async.sessionClass").startsWith("io.memsession."), "memsession's session"),
            () -> assertEquals("ok", whole.p("async.set")),
            () -> assertEquals("true", whole.p("async.sameObject"),
                    "one session object for the whole request, as Jetty and Tomcat give with their own sessions"));
        assertEquals("null", meanwhile.p("attr.async"), "not set before the test released it");
        Browser.Response after = on(a, "get:false", "attr:async", "attr:x");
        assertEquals("done", after.p("attr.async"), after::toString);
        assertEquals("1", after.p("attr.x"));
        assertEquals(0, b.containerSessionsCreated(), "container sessions on B");
    }

    // ------------------------------------------------------------------------------------ cookies

    @Test
    void sessionCookieConfig_everySettingAndAttributeIsHonouredInSetCookie() throws Exception {
        ContainerNode shop = extra(webapp("E").cookieConfig(c -> {
            c.setName("SHOPSID");
            c.setPath("/");
            c.setDomain("example.test");
            c.setSecure(true);
            c.setHttpOnly(true);
            c.setMaxAge(600);
            c.setAttribute("SameSite", "Strict");
            c.setAttribute("Partitioned", "");
        }));
        Browser.Response r = Browser.raw(shop.port(), shop.probePath("get:true"));
        assertEquals(200, r.status(), r::toString);
        assertEquals(List.of(), r.setCookies(COOKIE), r::toString);
        List<String> headers = r.setCookies("SHOPSID");
        assertEquals(1, headers.size(), r::toString);
        String header = headers.get(0);
        Map<String, String> attributes = cookieAttributes(header);
        assertAll(header,
            () -> assertEquals("SHOPSID=" + r.p("id"), header.split(";")[0].trim()),
            () -> assertEquals("/", attributes.get("path")),
            () -> assertEquals("example.test", attributes.get("domain")),
            () -> assertEquals("600", attributes.get("max-age")),
            () -> assertEquals("", attributes.get("secure"), "Secure"),
            () -> assertEquals("", attributes.get("httponly"), "HttpOnly"),
            () -> assertEquals("strict", String.valueOf(attributes.get("samesite")).toLowerCase(Locale.ROOT)),
            () -> assertTrue(attributes.containsKey("partitioned"), "Partitioned"),
            () -> assertEquals(Set.of("path", "domain", "max-age", "secure", "httponly", "samesite", "partitioned"),
                    without(attributes.keySet(), "expires"), "no other attribute (Expires may go with Max-Age)"));
    }

    private static Set<String> without(Set<String> names, String optional) {
        return names.stream().filter(n -> !n.equals(optional)).collect(Collectors.toSet());
    }

    @Test
    void defaultSessionCookie_carriesExactlyPathHttpOnlyAndSameSiteLax() {
        Browser.Response r = on(a, "get:true");
        List<String> headers = r.setCookies(COOKIE);
        assertEquals(1, headers.size(), r::toString);
        Map<String, String> attributes = cookieAttributes(headers.get(0));
        assertEquals(Map.of("path", "/app", "httponly", "", "samesite", "Lax"), attributes, headers.get(0));
    }

    /**
     * {@code cookieHttpOnly=false} is the one switch that turns HttpOnly off, whatever the container's
     * {@code <http-only>} says (its default cannot be told apart from a deliberate setting).
     */
    @ParameterizedTest(name = "container http-only {0}")
    @ValueSource(booleans = {true, false})
    void cookieHttpOnlyFalse_sendsNoHttpOnly_whateverTheContainerSays(boolean containerHttpOnly) throws Exception {
        ContainerNode open = extra(webapp("O" + containerHttpOnly).initParam("cookieHttpOnly", "false")
                .cookieConfig(c -> c.setHttpOnly(containerHttpOnly)));
        Browser.Response r = Browser.raw(open.port(), open.probePath("get:true"));
        List<String> headers = r.setCookies(COOKIE);
        assertEquals(1, headers.size(), r::toString);
        assertFalse(cookieAttributes(headers.get(0)).containsKey("httponly"), headers.get(0));
    }

    @ParameterizedTest(name = "stale cookie first: {0}")
    @ValueSource(booleans = {true, false})
    void duplicateSessionCookies_oneStaleOneValid_resolveToTheValidSession(boolean staleFirst) {
        String id = create(a, "set:x:string:1");
        String stale = randomWellFormedId();
        String header = staleFirst ? COOKIE + "=" + stale + "; " + COOKIE + "=" + id
                : COOKIE + "=" + id + "; " + COOKIE + "=" + stale;
        Browser.Response r = Browser.rawWithCookie(b.port(),
                b.probePath("requested", "get:false", "attr:x", "set:y:string:2"), header);
        assertAll(r.toString(),
            () -> assertEquals(200, r.status()),
            () -> assertEquals("present", r.p("session")),
            () -> assertEquals(id, r.p("id")),
            () -> assertEquals("1", r.p("attr.x")),
            () -> assertEquals(id, r.p("requestedId"), "the requested id is the one that is valid, as containers do"),
            () -> assertEquals("true", r.p("requestedValid")),
            () -> assertEquals(List.of(), r.setCookies(COOKIE)));
        assertEquals("2", on(a, "get:false", "attr:y").p("attr.y"));
        assertNull(memcached.rawGet(key(stale)), "nothing stored under the stale id");
    }

    private static String withPathParameter(String pathAndQuery, String parameter) {
        int q = pathAndQuery.indexOf('?');
        return q < 0 ? pathAndQuery + parameter : pathAndQuery.substring(0, q) + parameter + pathAndQuery.substring(q);
    }

    @Test
    void urlSessionId_isIgnoredByDefault_andEncodeUrlLeavesUrlsAlone() {
        String id = create(a, "set:x:string:1");
        Browser.Response r = Browser.raw(b.port(), withPathParameter(
                b.probePath("get:false", "requested", "encode:/app/next?p=1"), ";jsessionid=" + id));
        assertAll(r.toString(),
            () -> assertEquals(200, r.status()),
            () -> assertEquals("null", r.p("session")),
            () -> assertEquals("null", r.p("requestedId")),
            () -> assertEquals("false", r.p("requestedValid")),
            () -> assertEquals("false", r.p("fromURL")),
            () -> assertEquals("/app/next?p=1", r.p("encodeURL")));
        Browser.Response withCookie = on(b, "get:false", "encode:/app/next?p=1", "encodeRedirect:/app/next");
        assertEquals("/app/next?p=1", withCookie.p("encodeURL"), withCookie::toString);
        assertEquals("/app/next", withCookie.p("encodeRedirectURL"), withCookie::toString);
        assertEquals(0, b.containerSessionsCreated());
    }

    @Test
    void urlSessionId_isAdoptedWithUrlTracking_andEncodeUrlAddsIt() throws Exception {
        ContainerNode tracking = extra(webapp("U").initParam("urlTracking", "true"));
        String id = create(a, "set:x:string:1");
        Browser.Response r = Browser.raw(tracking.port(), withPathParameter(tracking.probePath("get:false",
                "requested", "attr:x", "set:y:string:viaUrl", "encode:/app/next?p=1", "encodeRedirect:/app/next"),
                ";jsessionid=" + id));
        assertAll(r.toString(),
            () -> assertEquals(200, r.status()),
            () -> assertEquals("present", r.p("session")),
            () -> assertEquals(id, r.p("id")),
            () -> assertEquals("1", r.p("attr.x")),
            () -> assertEquals(id, r.p("requestedId")),
            () -> assertEquals("true", r.p("requestedValid")),
            () -> assertEquals("true", r.p("fromURL")),
            () -> assertEquals("false", r.p("fromCookie")),
            () -> assertEquals("/app/next;jsessionid=" + id + "?p=1", r.p("encodeURL")),
            () -> assertEquals("/app/next;jsessionid=" + id, r.p("encodeRedirectURL")));
        assertEquals("viaUrl", on(b, "get:false", "attr:y").p("attr.y"), "the change made via the URL id was saved");
        assertEquals(0, tracking.containerSessionsCreated());
    }

    @Test
    void urlSessionId_withUrlTracking_aForgedIdIsNeverAdopted() throws Exception {
        ContainerNode tracking = extra(webapp("V").initParam("urlTracking", "true"));
        String forged = randomWellFormedId();
        Browser.Response r = Browser.raw(tracking.port(), withPathParameter(
                tracking.probePath("get:false", "requested", "get:true"), ";jsessionid=" + forged));
        assertEquals(200, r.status(), r::toString);
        assertEquals("false", r.p("requestedValid"), r::toString);
        assertNotEquals(forged, r.p("id"), r::toString);
        assertNull(memcached.rawGet(key(forged)));
    }

    // ------------------------------------------------------------------------------------ container sessions

    @Test
    void containersOwnSession_isNeverCreated_byAnyOfTheseFeatures() {
        int beforeA = a.containerSessionsCreated();
        int beforeB = b.containerSessionsCreated();
        create(a, "set:bv:bound:one", "set:act:activation:x");
        on(b, "get:false", "attr:act", "changeId");
        browser.get(a.url("/static/x.js"));
        browser.get(b.url(ContainerNode.PLAIN));
        on(a, "get:false", "invalidate");
        assertEquals(0, a.containerSessionsCreated() - beforeA, kind() + " sessions created on A");
        assertEquals(0, b.containerSessionsCreated() - beforeB, kind() + " sessions created on B");
    }
}
