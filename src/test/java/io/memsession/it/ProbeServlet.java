package io.memsession.it;

import io.memsession.it.model.LineItem;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Drives the session API from query parameters and answers in {@code key=value} lines.
 *
 * <p>Each {@code do} parameter is one operation, run in order; arguments follow the verb separated by
 * {@code ':'} (the last argument may itself contain ':'). An operation that throws is reported as
 * {@code error.<verb>=<exception class>: <message>} and the next one still runs. Operations act on the
 * session last returned by a {@code get} op, else on {@code request.getSession(false)}.
 *
 * <pre>
 * get | get:true | get:false | get:default   getSession(true) / (false) / () : session=present|null, id=
 * identity                     sameObject= every session returned by getSession in this request is one object
 * id isNew creationTime lastAccessedTime maxInactive
 * setMaxInactive:N
 * set:NAME:TYPE:VALUE          TYPE: string bigstring(VALUE = length) long int bool double bigdecimal localdate instant enum jdkenum
 *                              strings(a,b) list|set(L:1,S:x,I:2,D:1.5,B:true) map(k=L:1,j=S:x)
 *                              cart(owner,qty,total) item(sku,qty) contraband(text) null
 * attr:NAME                    attr.NAME= value, attr.NAME.class=, attr.NAME.elements= element classes
 * grow:NAME:N                  adds a string of N characters, in place, to the list attribute NAME
 * remove:NAME  names  invalidate  afterInvalidate (inv.METHOD=ok|ISE|other)  changeId  requested  context
 * bigbody:N      write N bytes now (commits once past the buffer)     overflow   write 2x the buffer size
 * flush          flushBuffer()                                        committed  committed=
 * streamFlush streamClose writerFlush   write a little, then flush/close the stream or writer (close and the writer ops end the answer)
 * writerOverflow   2x the buffer through the writer     lines:N   N bytes of UTF-8 lines through the writer (both end the answer)
 * redirect:LOC   sendRedirect (ends the answer)                       error:CODE sendError (ends the answer)
 * redirectStatus:CODE:LOC   sendRedirect(LOC, CODE), the Servlet 6.1 overload (ends the answer; Tomcat 11 only)
 * contentLength:N  setContentLength(N) then exactly N bytes (ends the answer)
 * hold:NAME      block until the test calls release(NAME) (only if armed; 15 s at most; NAME without ':');
 *                the test can see that it blocks, and its session id, with awaitHolding(NAME)
 * start          start= System.currentTimeMillis() when this servlet began the request   now  now=
 * lastAccessedTime:LABEL     lastAccessedTime.LABEL= (several reads in one request)
 * mark:NAME      mark.NAME= the {@link EventLog} sequence number reached so far (events after it came later)
 * encode:URL     encodeURL= response.encodeURL(URL)       encodeRedirect:URL  encodeRedirectURL=
 * hash           hash= identity hash of the session object      reqattr:NAME  reqattr.NAME= request attribute
 * set types also: bound(label) {@link BoundValue}   activation(label) {@link ActivationValue}
 * </pre>
 */
public final class ProbeServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private static final Map<String, CountDownLatch> HOLDS = new ConcurrentHashMap<>();
    private static final Map<String, Holding> HOLDING = new ConcurrentHashMap<>();

    /**
     * What an armed {@code hold:NAME} op saw when it started blocking: the id of the request's session (null
     * when none) and whether the response was committed.
     */
    record Holding(String sessionId, boolean committed) {
    }

    /** Makes the next {@code hold:name} op block until {@link #release(String)}. */
    static void arm(String name) {
        HOLDS.put(name, new CountDownLatch(1));
    }

    /**
     * Waits until the servlet has reached {@code hold:name} and blocks there (armed first), and returns what
     * it saw then. Hold names must not contain ':'.
     */
    static Holding awaitHolding(String name, long timeoutMillis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            Holding h = HOLDING.get(name);
            if (h != null) {
                return h;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("the servlet did not reach hold:" + name + " within " + timeoutMillis
                        + " ms");
            }
            MemcachedProcess.pause(5);
        }
    }

    static void release(String name) {
        HOLDING.remove(name);
        CountDownLatch latch = HOLDS.remove(name);
        if (latch != null) {
            latch.countDown();
        }
    }

    /** Blocks until {@link #release(String)} when {@code name} is armed (15 s at most); whether it was released. */
    static boolean await(String name) {
        CountDownLatch latch = HOLDS.get(name);
        if (latch == null) {
            return false;
        }
        try {
            return latch.await(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        new Run(req, resp).execute();
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        new Run(req, resp).execute();
    }

    private final class Run {
        private final HttpServletRequest req;
        private final HttpServletResponse resp;
        private final long startMillis = System.currentTimeMillis();
        private final StringBuilder out = new StringBuilder();
        private final List<HttpSession> seen = new ArrayList<>();
        private HttpSession current;
        private boolean finished;

        Run(HttpServletRequest req, HttpServletResponse resp) {
            this.req = req;
            this.resp = resp;
        }

        void execute() throws IOException {
            resp.setContentType("text/plain;charset=UTF-8");
            String[] ops = req.getParameterValues("do");
            for (String op : ops == null ? new String[0] : ops) {
                String verb = op.contains(":") ? op.substring(0, op.indexOf(':')) : op;
                try {
                    run(op);
                } catch (IOException | RuntimeException e) {
                    put("error." + verb, describe(e));
                    put("error", verb + " " + describe(e));
                }
            }
            if (!finished) {
                ServletOutputStream os = resp.getOutputStream();
                os.write(("\n" + out).getBytes(StandardCharsets.UTF_8));
            }
        }

        /** About {@code bytes} of UTF-8 text through the writer, one 80-character line per write call. */
        private void writeLines(int bytes) throws IOException {
            java.io.PrintWriter writer = resp.getWriter();
            String line = "caf\u00e9 ".repeat(15) + "line.....\n"; // 80 chars, 95 bytes in UTF-8
            for (int written = 0; written < bytes; written += 95) {
                writer.write(line);
            }
        }

        private void put(String key, Object value) {
            out.append(key).append('=').append(oneLine(String.valueOf(value))).append('\n');
        }

        private HttpSession session() {
            if (current != null) {
                return current;
            }
            HttpSession s = req.getSession(false);
            if (s == null) {
                throw new IllegalStateException("probe: no session for this op");
            }
            return s;
        }

        private void run(String op) throws IOException {
            String[] a = op.split(":", 4);
            switch (a[0]) {
                case "get" -> {
                    String mode = a.length > 1 ? a[1] : "true";
                    HttpSession s = switch (mode) {
                        case "true" -> req.getSession(true);
                        case "false" -> req.getSession(false);
                        case "default" -> req.getSession();
                        default -> throw new IllegalArgumentException("probe: get:" + mode);
                    };
                    put("session", s == null ? "null" : "present");
                    if (s != null) {
                        seen.add(s);
                        current = s;
                        put("id", s.getId());
                    }
                }
                case "identity" -> {
                    boolean same = seen.stream().allMatch(s -> s == seen.get(0));
                    put("sameObject", same);
                    put("sessionsSeen", seen.size());
                }
                case "id" -> put("id", session().getId());
                case "isNew" -> put("isNew", session().isNew());
                case "creationTime" -> put("creationTime", session().getCreationTime());
                case "lastAccessedTime" -> put(a.length > 1 ? "lastAccessedTime." + a[1] : "lastAccessedTime",
                        session().getLastAccessedTime());
                case "start" -> put("start", startMillis);
                case "now" -> put("now", System.currentTimeMillis());
                case "mark" -> put("mark." + a[1], EventLog.lastSeq());
                case "encode" -> put("encodeURL", resp.encodeURL(op.substring(op.indexOf(':') + 1)));
                case "encodeRedirect" -> put("encodeRedirectURL",
                        resp.encodeRedirectURL(op.substring(op.indexOf(':') + 1)));
                case "hash" -> put("hash", System.identityHashCode(session()));
                case "reqattr" -> put("reqattr." + a[1], req.getAttribute(a[1]));
                case "maxInactive" -> put("maxInactive", session().getMaxInactiveInterval());
                case "setMaxInactive" -> {
                    session().setMaxInactiveInterval(Integer.parseInt(a[1]));
                    put("setMaxInactive", a[1]);
                }
                case "set" -> {
                    String name = a[1];
                    Object value = value(a[2], a.length > 3 ? a[3] : "");
                    session().setAttribute(name, value);
                    put("set." + name, "ok");
                }
                case "attr" -> describeAttribute(a[1], session().getAttribute(a[1]));
                case "grow" -> {
                    @SuppressWarnings("unchecked")
                    List<Object> list = (List<Object>) session().getAttribute(a[1]);
                    list.add("x".repeat(Integer.parseInt(a[2])));
                    put("grow." + a[1], "ok");
                }
                case "remove" -> {
                    session().removeAttribute(a[1]);
                    put("remove." + a[1], "ok");
                }
                case "names" -> {
                    List<String> names = Collections.list(session().getAttributeNames());
                    Collections.sort(names);
                    put("names", String.join(",", names));
                }
                case "invalidate" -> {
                    session().invalidate();
                    put("invalidated", true);
                }
                case "afterInvalidate" -> afterInvalidate(session());
                case "changeId" -> {
                    String before = current != null ? current.getId() : null;
                    String after = req.changeSessionId();
                    put("changeId.old", before);
                    put("changeId.new", after);
                    HttpSession now = req.getSession(false);
                    put("changeId.sessionId", now == null ? "null" : now.getId());
                }
                case "requested" -> {
                    put("requestedId", req.getRequestedSessionId());
                    put("requestedValid", req.isRequestedSessionIdValid());
                    put("fromCookie", req.isRequestedSessionIdFromCookie());
                    put("fromURL", req.isRequestedSessionIdFromURL());
                }
                case "tier" -> {
                    // the durable tier's counters on this node (no session needed)
                    Object stats = getServletContext().getAttribute(
                            io.memsession.store.tiered.TierStatistics.CONTEXT_ATTRIBUTE);
                    if (stats instanceof io.memsession.store.tiered.TierStatistics t) {
                        put("tier.pendingRepairs", t.pendingRepairs());
                        put("tier.cacheHits", t.cacheHits());
                        put("tier.cacheMisses", t.cacheMisses());
                        put("tier.databaseStatements", t.databaseStatements());
                        put("tier.databaseFailures", t.databaseFailures());
                        put("tier.cacheEpoch", t.cacheEpoch());
                    }
                }
                case "context" -> {
                    put("sameContext", session().getServletContext() == getServletContext());
                    put("sessionContextPath", session().getServletContext().getContextPath());
                    put("contextSessionTimeout", getServletContext().getSessionTimeout());
                }
                case "bigbody" -> {
                    int n = Integer.parseInt(a[1]);
                    resp.getOutputStream().write(filler(n));
                    put("committed", resp.isCommitted());
                }
                case "overflow" -> {
                    int n = resp.getBufferSize() * 2 + 1;
                    resp.getOutputStream().write(filler(n));
                    put("overflowBytes", n);
                    put("committed", resp.isCommitted());
                }
                case "flush" -> {
                    resp.flushBuffer();
                    put("committed", resp.isCommitted());
                }
                case "streamFlush" -> {
                    resp.getOutputStream().write('\n');
                    resp.getOutputStream().flush();
                    put("committed", resp.isCommitted());
                }
                case "streamClose" -> {
                    finished = true;
                    resp.getOutputStream().close();
                }
                case "writerFlush" -> {
                    finished = true;
                    resp.getWriter().write("flushed\n");
                    resp.getWriter().flush();
                }
                case "writerOverflow" -> {
                    finished = true;
                    writeLines(resp.getBufferSize() * 2 + 1);
                }
                case "lines" -> {
                    finished = true;
                    writeLines(Integer.parseInt(a[1]));
                }
                case "committed" -> put("committed", resp.isCommitted());
                case "redirect" -> {
                    finished = true;
                    resp.sendRedirect(a.length > 1 ? a[1] : "/elsewhere");
                }
                case "redirectStatus" -> { // Servlet 6.1 overload (Tomcat 11): redirectStatus:CODE:LOCATION
                    finished = true;
                    resp.sendRedirect(a[2], Integer.parseInt(a[1]));
                }
                case "error" -> {
                    finished = true;
                    resp.sendError(Integer.parseInt(a[1]));
                }
                case "contentLength" -> {
                    finished = true;
                    int n = Integer.parseInt(a[1]);
                    resp.setContentLength(n);
                    resp.getOutputStream().write(filler(n));
                }
                case "hold" -> {
                    CountDownLatch latch = HOLDS.get(a[1]);
                    if (latch != null) {
                        HttpSession s = current != null ? current : req.getSession(false);
                        HOLDING.put(a[1], new Holding(s == null ? null : s.getId(), resp.isCommitted()));
                        try {
                            put("held", latch.await(15, TimeUnit.SECONDS));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
                case "sessionClass" -> put("sessionClass", session().getClass().getName());
                default -> throw new IllegalArgumentException("probe: unknown op " + a[0]);
            }
        }

        private void describeAttribute(String name, Object v) {
            String key = "attr." + name;
            if (v == null) {
                put(key, "null");
                put(key + ".class", "null");
                return;
            }
            put(key, v instanceof Object[] arr ? Arrays.deepToString(arr) : String.valueOf(v));
            put(key + ".class", v.getClass().getName());
            if (v instanceof Collection<?> c) {
                StringJoiner j = new StringJoiner(",");
                c.forEach(e -> j.add(e == null ? "null" : e.getClass().getName()));
                put(key + ".elements", j);
                put(key + ".kind", v instanceof List ? "List" : v instanceof java.util.Set ? "Set" : "Collection");
            } else if (v instanceof Map<?, ?> m) {
                StringJoiner j = new StringJoiner(",");
                m.forEach((k, e) -> j.add(k + "=" + (e == null ? "null" : e.getClass().getName())));
                put(key + ".elements", j);
                put(key + ".kind", "Map");
            } else if (v instanceof Object[] arr) {
                StringJoiner j = new StringJoiner(",");
                for (Object e : arr) {
                    j.add(e == null ? "null" : e.getClass().getName());
                }
                put(key + ".elements", j);
            }
        }

        private void afterInvalidate(HttpSession s) {
            check("getId", s::getId);
            check("getAttribute", () -> s.getAttribute("x"));
            check("getAttributeNames", s::getAttributeNames);
            check("setAttribute", () -> {
                s.setAttribute("x", "y");
                return null;
            });
            check("removeAttribute", () -> {
                s.removeAttribute("x");
                return null;
            });
            check("getCreationTime", s::getCreationTime);
            check("getLastAccessedTime", s::getLastAccessedTime);
            check("isNew", s::isNew);
            check("invalidate", () -> {
                s.invalidate();
                return null;
            });
            HttpSession again = req.getSession(false);
            put("inv.getSessionFalse", again == null ? "null" : again == s ? "same" : "other");
        }

        private void check(String method, Supplier<Object> call) {
            String result;
            try {
                call.get();
                result = "ok";
            } catch (IllegalStateException e) {
                result = "ISE";
            } catch (RuntimeException e) {
                result = describe(e);
            }
            put("inv." + method, result);
        }
    }

    static Object value(String type, String v) {
        return switch (type) {
            case "string" -> v;
            case "bigstring" -> "x".repeat(Integer.parseInt(v));
            case "long" -> Long.valueOf(v);
            case "int" -> Integer.valueOf(v);
            case "bool" -> Boolean.valueOf(v);
            case "double" -> Double.valueOf(v);
            case "bigdecimal" -> new BigDecimal(v);
            case "localdate" -> LocalDate.parse(v);
            case "instant" -> Instant.parse(v);
            case "enum" -> Flavor.valueOf(v);
            case "jdkenum" -> DayOfWeek.valueOf(v);
            case "strings" -> v.split(",", -1);
            case "list" -> new ArrayList<>(tokens(v));
            case "set" -> new LinkedHashSet<>(tokens(v));
            case "map" -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (String entry : v.isEmpty() ? new String[0] : v.split(",")) {
                    int eq = entry.indexOf('=');
                    m.put(entry.substring(0, eq), token(entry.substring(eq + 1)));
                }
                yield m;
            }
            case "cart" -> {
                String[] p = v.split(",");
                yield new Cart(p[0], Integer.parseInt(p[1]), new BigDecimal(p[2]));
            }
            case "item" -> {
                String[] p = v.split(",");
                yield new LineItem(p[0], Long.parseLong(p[1]));
            }
            case "contraband" -> new Contraband(v);
            case "bound" -> new BoundValue(v);
            case "activation" -> new ActivationValue(v);
            case "null" -> null;
            default -> throw new IllegalArgumentException("probe: unknown type " + type);
        };
    }

    private static List<Object> tokens(String v) {
        List<Object> out = new ArrayList<>();
        for (String t : v.isEmpty() ? new String[0] : v.split(",")) {
            out.add(token(t));
        }
        return out;
    }

    /** {@code L:1} Long, {@code I:1} Integer, {@code S:x} String, {@code D:1.50} BigDecimal, {@code B:true}. */
    private static Object token(String t) {
        String v = t.substring(2);
        return switch (t.charAt(0)) {
            case 'L' -> Long.valueOf(v);
            case 'I' -> Integer.valueOf(v);
            case 'S' -> v;
            case 'D' -> new BigDecimal(v);
            case 'B' -> Boolean.valueOf(v);
            default -> throw new IllegalArgumentException("probe: unknown token " + t);
        };
    }

    private static byte[] filler(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 'x');
        return b;
    }

    private static String describe(Throwable e) {
        return e.getClass().getName() + ": " + e.getMessage();
    }

    private static String oneLine(String s) {
        return s.replace('\r', ' ').replace('\n', ' ');
    }
}
