package io.memsession.it;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An application servlet for the concurrency suites: it runs the {@code do} operations of its query string
 * in order and answers {@code key=value} lines (readable with {@link Browser.Response#p}).
 *
 * <p>Both nodes of a suite run in the test's JVM, so the static gates below coordinate requests across
 * nodes: a test forces requests to overlap (or to stay inside the servlet) deterministically instead of
 * relying on timing. Session exceptions are not caught: the filter must see them (a lock timeout becomes
 * HTTP 503), and anything else becomes a 500 the test notices.
 *
 * <pre>
 * session               getSession(false); when null, answers session=null and runs nothing else
 * create                getSession(true)                          (both answer id=)
 * reach:NAME            counts one arrival at NAME ({@link #reached})
 * gate:NAME             waits until all parties of gate NAME ({@link #armGate}) have arrived (10 s at most)
 * hold:NAME             waits until the test calls {@link #release} (15 s at most)
 * pause:MS              sleeps MS milliseconds (the application being slow)
 * set:NAME:VALUE        setAttribute(NAME, VALUE) as a String
 * incr:NAME:MS          count = getAttribute(NAME); sleeps MS; setAttribute(NAME, count + 1): a read-modify-write,
 *                       tracked by {@link #maxOverlap()}
 * newlist:NAME:VALUE    setAttribute(NAME, new ArrayList of VALUE)
 * append:NAME:VALUE     ((List) getAttribute(NAME)).add(VALUE), changed in place, no setAttribute
 * read:NAME             attr.NAME= getAttribute(NAME)
 * dump                  attr.NAME= every attribute, names= sorted names, maxInactive=
 * interval:N            setMaxInactiveInterval(N)
 * invalidate            invalidate()
 * </pre>
 */
public final class ConcurrencyServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    static final String PATH = "/conc";

    private static final Map<String, CountDownLatch> GATES = new ConcurrentHashMap<>();
    private static final Map<String, CountDownLatch> HOLDS = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> REACHED = new ConcurrentHashMap<>();
    private static final AtomicInteger INSIDE = new AtomicInteger();
    private static final AtomicInteger MAX_INSIDE = new AtomicInteger();

    /** Requests doing {@code gate:name} wait for each other until {@code parties} of them have arrived. */
    static void armGate(String name, int parties) {
        GATES.put(name, new CountDownLatch(parties));
    }

    /** Requests doing {@code hold:name} wait until {@link #release(String)}. */
    static void armHold(String name) {
        HOLDS.put(name, new CountDownLatch(1));
    }

    static void release(String name) {
        CountDownLatch latch = HOLDS.get(name);
        if (latch != null) {
            latch.countDown();
        }
    }

    /** How many requests have done {@code reach:name}. */
    static int reached(String name) {
        AtomicInteger n = REACHED.get(name);
        return n == null ? 0 : n.get();
    }

    /** The most {@code incr} operations that were ever in progress at the same time, since {@link #reset()}. */
    static int maxOverlap() {
        return MAX_INSIDE.get();
    }

    /** Forgets every gate, hold, arrival and overlap count; releases whoever still waits. */
    static void reset() {
        GATES.values().forEach(l -> {
            while (l.getCount() > 0) {
                l.countDown();
            }
        });
        HOLDS.values().forEach(CountDownLatch::countDown);
        GATES.clear();
        HOLDS.clear();
        REACHED.clear();
        INSIDE.set(0);
        MAX_INSIDE.set(0);
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException {
        resp.setContentType("text/plain;charset=UTF-8");
        StringBuilder out = new StringBuilder();
        String[] ops = req.getParameterValues("do");
        HttpSession session = null;
        ops = ops == null ? new String[0] : ops;
        for (int index = 0; index < ops.length; index++) {
            String op = ops[index];
            String[] a = op.split(":", 3);
            switch (a[0]) {
                case "session", "create" -> {
                    session = req.getSession(a[0].equals("create"));
                    if (session == null) {
                        put(out, "session", "null");
                        arriveAtGatesIn(ops, index + 1);
                        resp.getOutputStream().write(out.toString().getBytes(StandardCharsets.UTF_8));
                        return;
                    }
                    put(out, "session", "present");
                    put(out, "id", session.getId());
                }
                case "reach" -> REACHED.computeIfAbsent(a[1], k -> new AtomicInteger()).incrementAndGet();
                case "gate" -> await(GATES.get(a[1]), true, "gate " + a[1], 10);
                case "hold" -> await(HOLDS.get(a[1]), false, "hold " + a[1], 15);
                case "pause" -> sleep(Long.parseLong(a[1]));
                case "set" -> session(session).setAttribute(a[1], a[2]);
                case "incr" -> {
                    int inside = INSIDE.incrementAndGet();
                    MAX_INSIDE.accumulateAndGet(inside, Math::max);
                    try {
                        Integer count = (Integer) session(session).getAttribute(a[1]);
                        int before = count == null ? 0 : count;
                        put(out, "read." + a[1], before);
                        sleep(Long.parseLong(a[2]));
                        session.setAttribute(a[1], before + 1);
                    } finally {
                        INSIDE.decrementAndGet();
                    }
                }
                case "newlist" -> session(session).setAttribute(a[1], new ArrayList<>(List.of(a[2])));
                case "append" -> {
                    @SuppressWarnings("unchecked")
                    List<String> list = (List<String>) session(session).getAttribute(a[1]);
                    list.add(a[2]);
                }
                case "read" -> put(out, "attr." + a[1], session(session).getAttribute(a[1]));
                case "dump" -> {
                    List<String> names = Collections.list(session(session).getAttributeNames());
                    Collections.sort(names);
                    for (String name : names) {
                        put(out, "attr." + name, session.getAttribute(name));
                    }
                    put(out, "names", String.join(",", names));
                    put(out, "maxInactive", session.getMaxInactiveInterval());
                }
                case "interval" -> session(session).setMaxInactiveInterval(Integer.parseInt(a[1]));
                case "invalidate" -> {
                    session(session).invalidate();
                    put(out, "invalidated", "yes");
                }
                default -> throw new ServletException("unknown op " + op);
            }
        }
        resp.getOutputStream().write(out.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A request that stops early still counts at the gates it would have reached, so nobody waits for it. */
    private static void arriveAtGatesIn(String[] ops, int from) {
        for (int i = from; i < ops.length; i++) {
            if (ops[i].startsWith("gate:")) {
                CountDownLatch latch = GATES.get(ops[i].substring("gate:".length()));
                if (latch != null) {
                    latch.countDown();
                }
            }
        }
    }

    private static HttpSession session(HttpSession session) throws ServletException {
        if (session == null) {
            throw new ServletException("op before 'session' or 'create'");
        }
        return session;
    }

    private static void put(StringBuilder out, String key, Object value) {
        out.append(key).append('=').append(value).append('\n');
    }

    /** Waits for {@code latch}; a gate counts this request's arrival first, a hold only waits. */
    private static void await(CountDownLatch latch, boolean arrive, String what, int seconds)
            throws ServletException {
        if (latch == null) {
            throw new ServletException(what + " was not armed");
        }
        if (arrive) {
            latch.countDown();
        }
        try {
            if (!latch.await(seconds, TimeUnit.SECONDS)) {
                throw new ServletException(what + " did not open within " + seconds + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServletException(what + " interrupted", e);
        }
    }

    private static void sleep(long millis) throws ServletException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServletException("interrupted", e);
        }
    }
}
