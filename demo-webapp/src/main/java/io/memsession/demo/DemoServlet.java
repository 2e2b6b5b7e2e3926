package io.memsession.demo;

import io.memsession.store.tiered.TierStatistics;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * The demo page. It knows nothing about memcached: it uses only the standard {@link HttpSession} API
 * (including {@code changeSessionId} at log-in and {@code invalidate} at log-out), and the session is
 * shared between nodes because {@code io.memsession.MemcachedSessionFilter} is registered in web.xml.
 *
 * <p>The node's name comes from the {@code demo.node} system property (set by scripts/demo.sh).
 */
public class DemoServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    static final String VISITS = "visits";
    static final String LAST_NODE = "lastServedBy";
    static final String USER = "user";
    private static final Set<String> RESERVED = Set.of(VISITS, LAST_NODE, USER);
    private static final int MAX_NAME = 100;
    private static final int MAX_VALUE = 1000;
    private static final int MAX_USER = 40;

    /** Whether the page keeps this attribute itself, so that forms and the API may not set it. */
    static boolean isReserved(String name) {
        return RESERVED.contains(name);
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        HttpSession session = req.getSession(true);
        Object previousNode = session.getAttribute(LAST_NODE);
        Object visits = session.getAttribute(VISITS);
        int count = (visits instanceof Integer i) ? i + 1 : 1;
        session.setAttribute(VISITS, count);
        session.setAttribute(LAST_NODE, Node.name(req));
        String notice = req.getParameter("loggedOut") != null
                ? "Logged out: the previous session was invalidated on every node; this is a new one." : null;
        render(req, resp, session, previousNode, notice, null);
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        req.setCharacterEncoding("UTF-8");
        String action = req.getParameter("action");
        if ("logout".equals(action)) {
            HttpSession session = req.getSession(false);
            if (session != null) {
                session.invalidate();
            }
            redirectHome(req, resp, "?loggedOut");
            return;
        }

        HttpSession session = req.getSession(true);
        String name = trim(req.getParameter("name"));
        String error = null;
        if ("store".equals(action)) {
            String value = req.getParameter("value");
            if (value == null) {
                value = "";
            }
            if (name.isEmpty()) {
                error = "Give the attribute a name.";
            } else if (name.length() > MAX_NAME || value.length() > MAX_VALUE) {
                error = "Names are limited to " + MAX_NAME + " characters and values to " + MAX_VALUE + ".";
            } else if (isReserved(name)) {
                error = "\"" + name + "\" is kept by the page itself; pick another name.";
            } else {
                session.setAttribute(name, value);
            }
        } else if ("remove".equals(action)) {
            if (!isReserved(name)) {
                session.removeAttribute(name);
            }
        } else if ("login".equals(action)) {
            String user = trim(req.getParameter(USER));
            if (user.isEmpty() || user.length() > MAX_USER) {
                error = "A user name has 1 to " + MAX_USER + " characters.";
            } else {
                session.setAttribute(USER, user);
                // A new id at every change of privilege: an id planted before the log-in (session
                // fixation) is worth nothing after it.
                req.changeSessionId();
            }
        } else {
            error = "Unknown action.";
        }

        if (error != null) {
            resp.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            render(req, resp, session, session.getAttribute(LAST_NODE), null, error);
        } else {
            redirectHome(req, resp, "");
        }
    }

    private static void redirectHome(HttpServletRequest req, HttpServletResponse resp, String query) {
        // Post/Redirect/Get: reloading the page does not repeat the form.
        resp.setStatus(HttpServletResponse.SC_SEE_OTHER);
        resp.setHeader("Location", req.getContextPath() + "/" + query);
    }

    private void render(HttpServletRequest req, HttpServletResponse resp, HttpSession session,
                        Object previousNode, String notice, String error) throws IOException {
        String node = Node.name(req);
        resp.setContentType("text/html;charset=UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        PrintWriter out = resp.getWriter();

        List<String> names = Collections.list(session.getAttributeNames());
        Collections.sort(names);
        String action = esc(req.getContextPath() + "/");
        Object user = session.getAttribute(USER);

        out.println("<!DOCTYPE html>");
        out.println("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        out.println("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        out.println("<title>memsession demo - " + esc(node) + "</title>");
        out.println("<link rel=\"stylesheet\" href=\"" + action + "demo.css\">");
        out.println("<style>.node{background:" + nodeColour(node) + "}</style>");
        out.println("<script src=\"" + action + "demo.js\" defer></script>");
        out.println("</head><body>");
        out.println("<header><h1>memsession demo</h1>");
        out.println("<p>Served by <span class=\"node\" id=\"node\">" + esc(node) + "</span>");
        if (previousNode != null && !node.equals(String.valueOf(previousNode))) {
            out.println("<span id=\"moved\">&larr; the previous request of this session was served by <strong>"
                    + esc(String.valueOf(previousNode)) + "</strong></span>");
        }
        out.println("</p></header>");
        if (notice != null) {
            out.println("<p class=\"notice\" id=\"notice\">" + esc(notice) + "</p>");
        }
        if (error != null) {
            out.println("<p class=\"error\" id=\"error\">" + esc(error) + "</p>");
        }

        out.println("<main><section>");
        out.println("<h2>Session</h2><table class=\"facts\">");
        row(out, "Session id", "<code id=\"session-id\" title=\"shortened\">" + esc(Node.shortId(session.getId()))
                + "</code>");
        row(out, "Visits", "<span id=\"visits\">" + esc(String.valueOf(session.getAttribute(VISITS))) + "</span>");
        row(out, "User", user == null ? "<span id=\"user\" class=\"none\">not logged in</span>"
                : "<span id=\"user\">" + esc(String.valueOf(user)) + "</span>");
        row(out, "Timeout", esc(session.getMaxInactiveInterval() + " s"));
        boolean durable = getServletContext().getAttribute(TierStatistics.CONTEXT_ATTRIBUTE) != null;
        row(out, "Durable tier", durable
                ? "<span id=\"tier\">on</span> <small>a database behind memcached: flush memcached and"
                        + " the session is read back from it</small>"
                : "<span id=\"tier\" class=\"none\">off</span> <small>sessions live in memcached only</small>");
        out.println("</table>");

        if (user == null) {
            out.println("<form method=\"post\" action=\"" + action + "\" id=\"login-form\">"
                    + "<input type=\"hidden\" name=\"action\" value=\"login\">"
                    + "<label>User <input name=\"user\" required maxlength=\"" + MAX_USER + "\"></label> "
                    + "<button type=\"submit\" id=\"login\">Log in</button>"
                    + "<small>stores the name and calls <code>changeSessionId()</code></small></form>");
        } else {
            out.println("<form method=\"post\" action=\"" + action + "\" id=\"logout-form\">"
                    + "<input type=\"hidden\" name=\"action\" value=\"logout\">"
                    + "<button type=\"submit\" id=\"logout\">Log out</button>"
                    + "<small>calls <code>invalidate()</code>: the session is gone on every node</small></form>");
        }

        out.println("<h2>Store a value</h2>");
        out.println("<form method=\"post\" action=\"" + action + "\" id=\"store-form\">"
                + "<input type=\"hidden\" name=\"action\" value=\"store\">"
                + "<label>Name <input name=\"name\" required maxlength=\"" + MAX_NAME + "\"></label> "
                + "<label>Value <input name=\"value\" maxlength=\"" + MAX_VALUE + "\"></label> "
                + "<button type=\"submit\" id=\"store\">Store</button></form>");

        out.println("<h2>Attributes</h2>");
        out.println("<table id=\"attributes\"><tr><th>Name</th><th>Value</th><th></th></tr>");
        for (String name : names) {
            String remove = "";
            if (!isReserved(name)) {
                remove = "<form method=\"post\" action=\"" + action + "\" class=\"inline\">"
                        + "<input type=\"hidden\" name=\"action\" value=\"remove\">"
                        + "<input type=\"hidden\" name=\"name\" value=\"" + esc(name) + "\">"
                        + "<button type=\"submit\">Remove</button></form>";
            }
            out.println("<tr data-name=\"" + esc(name) + "\"><td>" + esc(name) + "</td><td class=\"value\">"
                    + esc(String.valueOf(session.getAttribute(name))) + "</td><td>" + remove + "</td></tr>");
        }
        out.println("</table>");
        out.println("</section>");

        out.println("<section class=\"wide\"><h2>memsession on each node <small>live</small></h2>");
        out.println("<table id=\"metrics\"><thead><tr><th>node</th><th>loads</th><th>saves</th>"
                + "<th>touches</th><th>conflicts</th><th>dropped</th><th>failures</th>"
                + "<th>load time</th><th>seen</th></tr></thead><tbody></tbody></table>");
        out.println("<table id=\"tier-metrics\" hidden><thead><tr><th>node</th><th>database statements</th>"
                + "<th>read from the database</th><th>database failures</th></tr></thead><tbody></tbody></table>");
        out.println("<p class=\"hint\">Counters since each node started, polled from <code>metrics.json</code>"
                + " through the balancer, which answers from each node in turn. <em>touches</em>: unchanged"
                + " sessions kept alive with a small write; <em>conflicts</em>: writes that found the session"
                + " changed by a concurrent request and merged into it; <em>dropped</em>: changes given up;"
                + " <em>failures</em>: memcached operations that failed or timed out; <em>load time</em>:"
                + " the mean wait for memcached per session read, over the last few seconds. The second table,"
                + " with the durable tier on: the statements sent to its database, the session reads it answered"
                + " because memcached could not (after a flush, say), and the database calls that failed.</p>");
        out.println("<p>Reload the page: the node changes, the session and the counter stay. "
                + "<a href=\"" + action + "parallel.html\" id=\"parallel-link\">Parallel requests</a>: "
                + "many ajax calls at once, each changing its own attribute, and nothing is lost.</p>");
        out.println("</section></main>");
        out.println("</body></html>");
    }

    private static void row(PrintWriter out, String label, String html) {
        out.println("<tr><th>" + esc(label) + "</th><td>" + html + "</td></tr>");
    }

    /** A stable colour per node name, so switching nodes is visible at a glance. */
    private static String nodeColour(String node) {
        String[] colours = {"#1565c0", "#2e7d32", "#6a1b9a", "#c62828", "#ef6c00", "#00838f"};
        return colours[Math.floorMod(node.hashCode(), colours.length)];
    }

    private static String trim(String s) {
        return s == null ? "" : s.trim();
    }

    /** Escapes text for HTML element content and double- or single-quoted attributes. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
