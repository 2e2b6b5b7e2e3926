package io.memsession.demo;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo page. It knows nothing about memcached: it uses only the standard
 * {@link HttpSession} API, and the session is shared between nodes because
 * {@code io.memsession.MemcachedSessionFilter} is registered in web.xml.
 *
 * <p>System properties read (set by scripts/demo.sh):
 * <ul>
 *   <li>{@code demo.node}: the name shown for this node (default: "port N");</li>
 *   <li>{@code demo.nodes}: the nodes to link to, as
 *       {@code name=url,name=url} (default: none).</li>
 * </ul>
 */
public class DemoServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    static final String VISITS = "visits";
    static final String LAST_NODE = "lastServedBy";
    private static final int MAX_NAME = 100;
    private static final int MAX_VALUE = 1000;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        HttpSession session = req.getSession(true);
        Object previousNode = session.getAttribute(LAST_NODE);
        Object visits = session.getAttribute(VISITS);
        int count = (visits instanceof Integer i) ? i + 1 : 1;
        session.setAttribute(VISITS, count);
        session.setAttribute(LAST_NODE, nodeName(req));
        render(req, resp, session, previousNode, null);
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        req.setCharacterEncoding("UTF-8");
        String action = req.getParameter("action");
        if ("invalidate".equals(action)) {
            HttpSession session = req.getSession(false);
            if (session != null) {
                session.invalidate();
            }
            redirectHome(req, resp);
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
                error = "Names are limited to " + MAX_NAME + " characters and values to "
                        + MAX_VALUE + ".";
            } else if (VISITS.equals(name) || LAST_NODE.equals(name)) {
                error = "\"" + name + "\" is kept by the page itself; pick another name.";
            } else {
                session.setAttribute(name, value);
            }
        } else if ("remove".equals(action)) {
            session.removeAttribute(name);
        } else {
            error = "Unknown action.";
        }

        if (error != null) {
            resp.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            render(req, resp, session, session.getAttribute(LAST_NODE), error);
        } else {
            redirectHome(req, resp);
        }
    }

    private void redirectHome(HttpServletRequest req, HttpServletResponse resp) {
        // Post/Redirect/Get: reloading the page does not repeat the form.
        resp.setStatus(HttpServletResponse.SC_SEE_OTHER);
        resp.setHeader("Location", req.getContextPath() + "/");
    }

    private void render(HttpServletRequest req, HttpServletResponse resp, HttpSession session,
                        Object previousNode, String error) throws IOException {
        String node = nodeName(req);
        resp.setContentType("text/html;charset=UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        PrintWriter out = resp.getWriter();

        List<String> names = Collections.list(session.getAttributeNames());
        Collections.sort(names);
        String action = esc(req.getContextPath() + "/");

        out.println("<!DOCTYPE html>");
        out.println("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        out.println("<title>memsession demo - " + esc(node) + "</title>");
        out.println("<style>"
                + "body{font-family:system-ui,sans-serif;margin:2rem;max-width:48rem;color:#222}"
                + ".node{display:inline-block;padding:.3rem .8rem;border-radius:.4rem;color:#fff;"
                + "background:" + nodeColour(node) + "}"
                + "table{border-collapse:collapse;margin:.5rem 0}"
                + "td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}"
                + "th{background:#f3f3f3}.error{color:#b00020;font-weight:bold}"
                + "form{margin:.5rem 0}code{word-break:break-all}"
                + "</style></head><body>");
        out.println("<h1>memsession demo</h1>");
        out.println("<p>Served by <span class=\"node\" id=\"node\">" + esc(node) + "</span>");
        if (previousNode != null && !node.equals(String.valueOf(previousNode))) {
            out.println(" &mdash; the previous request of this session was served by <strong>"
                    + esc(String.valueOf(previousNode)) + "</strong>");
        }
        out.println("</p>");

        Map<String, String> nodes = otherNodes();
        if (!nodes.isEmpty()) {
            out.println("<p>Open this page on:");
            for (Map.Entry<String, String> e : nodes.entrySet()) {
                out.println(" <a href=\"" + esc(e.getValue()) + "\">" + esc(e.getKey()) + " ("
                        + esc(e.getValue()) + ")</a>");
            }
            out.println("</p>");
        }

        if (error != null) {
            out.println("<p class=\"error\">" + esc(error) + "</p>");
        }

        out.println("<h2>Session</h2><table>");
        row(out, "Session id", "<code id=\"session-id\">" + esc(session.getId()) + "</code>");
        row(out, "Created", esc(Instant.ofEpochMilli(session.getCreationTime()).toString()));
        row(out, "Last accessed", esc(Instant.ofEpochMilli(session.getLastAccessedTime()).toString()));
        row(out, "Timeout", esc(session.getMaxInactiveInterval() + " s"));
        row(out, "Visits", "<span id=\"visits\">"
                + esc(String.valueOf(session.getAttribute(VISITS))) + "</span>");
        out.println("</table>");

        out.println("<h2>Attributes</h2>");
        out.println("<table id=\"attributes\"><tr><th>Name</th><th>Value</th><th>Type</th><th></th></tr>");
        for (String name : names) {
            Object value = session.getAttribute(name);
            String type = value == null ? "" : value.getClass().getSimpleName();
            String remove = "";
            if (!VISITS.equals(name) && !LAST_NODE.equals(name)) {
                remove = "<form method=\"post\" action=\"" + action + "\" style=\"margin:0\">"
                        + "<input type=\"hidden\" name=\"action\" value=\"remove\">"
                        + "<input type=\"hidden\" name=\"name\" value=\"" + esc(name) + "\">"
                        + "<button type=\"submit\">Remove</button></form>";
            }
            out.println("<tr><td>" + esc(name) + "</td><td>" + esc(String.valueOf(value))
                    + "</td><td>" + esc(type) + "</td><td>" + remove + "</td></tr>");
        }
        out.println("</table>");

        out.println("<h2>Store a value</h2>");
        out.println("<form method=\"post\" action=\"" + action + "\">"
                + "<input type=\"hidden\" name=\"action\" value=\"store\">"
                + "<label>Name <input name=\"name\" required maxlength=\"" + MAX_NAME + "\"></label> "
                + "<label>Value <input name=\"value\" maxlength=\"" + MAX_VALUE + "\"></label> "
                + "<button type=\"submit\">Store</button></form>");

        out.println("<h2>End the session</h2>");
        out.println("<form method=\"post\" action=\"" + action + "\">"
                + "<input type=\"hidden\" name=\"action\" value=\"invalidate\">"
                + "<button type=\"submit\">Invalidate session</button></form>");
        out.println("</body></html>");
    }

    private static void row(PrintWriter out, String label, String html) {
        out.println("<tr><th>" + esc(label) + "</th><td>" + html + "</td></tr>");
    }

    private static String nodeName(HttpServletRequest req) {
        String name = System.getProperty("demo.node");
        if (name == null || name.isBlank()) {
            return "port " + req.getLocalPort();
        }
        return name;
    }

    /** Parses {@code demo.nodes} ("name=url,name=url") in order. */
    private static Map<String, String> otherNodes() {
        Map<String, String> nodes = new LinkedHashMap<>();
        String spec = System.getProperty("demo.nodes", "");
        for (String part : spec.split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0 && eq < part.length() - 1) {
                nodes.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
            }
        }
        return nodes;
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
