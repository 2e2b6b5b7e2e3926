package io.memsession.it;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;

/**
 * An error page that reads the session: answers {@code errorpage.*} lines (dispatcher type, status, whether
 * there is a session, its id and every attribute). When the failing request carried {@code errorWrite=VALUE}
 * it also sets session attribute {@code errorPageSaw=VALUE}.
 */
public final class ErrorPageServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        StringBuilder sb = new StringBuilder("\n");
        line(sb, "errorpage.dispatcherType", req.getDispatcherType());
        line(sb, "errorpage.status", req.getAttribute(RequestDispatcher.ERROR_STATUS_CODE));
        HttpSession session;
        try {
            session = req.getSession(false);
        } catch (RuntimeException e) {
            line(sb, "errorpage.error", e);
            session = null;
        }
        line(sb, "errorpage.session", session == null ? "null" : "present");
        if (session != null) {
            line(sb, "errorpage.id", session.getId());
            List<String> names = Collections.list(session.getAttributeNames());
            Collections.sort(names);
            for (String name : names) {
                line(sb, "errorpage.attr." + name, session.getAttribute(name));
            }
            String write = req.getParameter("errorWrite");
            if (write != null) {
                session.setAttribute("errorPageSaw", write);
                line(sb, "errorpage.wrote", write);
            }
        }
        resp.setContentType("text/plain;charset=UTF-8");
        resp.getOutputStream().write(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void line(StringBuilder sb, String key, Object value) {
        sb.append(key).append('=').append(String.valueOf(value).replace('\n', ' ')).append('\n');
    }
}
