package io.memsession.demo;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The demo's small JSON API, used by the parallel-requests page (and the browser test):
 * <ul>
 *   <li>{@code GET /api/session}: the session as this node reads it, or {@code "session":null} when the
 *       request has none; it never creates one, so it also shows that an old id is dead;</li>
 *   <li>{@code POST /api/attribute} with {@code name} and {@code value}: stores one attribute (creating
 *       the session if needed) and says which node did it.</li>
 * </ul>
 */
public class SessionApiServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final int MAX_VALUE = 1000;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!"/session".equals(req.getPathInfo())) {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        HttpSession session = req.getSession(false);
        StringBuilder json = new StringBuilder("{\"node\":").append(Json.string(Node.name(req)))
                .append(",\"session\":");
        if (session == null) {
            json.append("null");
        } else {
            json.append("{\"id\":").append(Json.string(Node.shortId(session.getId())))
                    .append(",\"attributes\":{");
            List<String> names = Collections.list(session.getAttributeNames());
            Collections.sort(names);
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                json.append(i == 0 ? "" : ",").append(Json.string(name)).append(':')
                        .append(Json.string(String.valueOf(session.getAttribute(name))));
            }
            json.append("}}");
        }
        send(resp, HttpServletResponse.SC_OK, json.append('}'));
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!"/attribute".equals(req.getPathInfo())) {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        req.setCharacterEncoding("UTF-8");
        String name = req.getParameter("name");
        String value = req.getParameter("value");
        if (name == null || !NAME.matcher(name).matches() || DemoServlet.isReserved(name)) {
            send(resp, HttpServletResponse.SC_BAD_REQUEST, new StringBuilder(
                    "{\"error\":\"name: 1 to 100 letters, digits, '.', '_' or '-', not one the page keeps\"}"));
            return;
        }
        if (value == null || value.length() > MAX_VALUE) {
            send(resp, HttpServletResponse.SC_BAD_REQUEST,
                    new StringBuilder("{\"error\":\"value: required, at most " + MAX_VALUE + " characters\"}"));
            return;
        }
        HttpSession session = req.getSession(true);
        session.setAttribute(name, value);
        send(resp, HttpServletResponse.SC_OK, new StringBuilder("{\"node\":").append(Json.string(Node.name(req)))
                .append(",\"name\":").append(Json.string(name))
                .append(",\"session\":").append(Json.string(Node.shortId(session.getId()))).append('}'));
    }

    private static void send(HttpServletResponse resp, int status, CharSequence json) throws IOException {
        resp.setStatus(status);
        resp.setContentType("application/json;charset=UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.getWriter().write(json.toString());
    }
}
