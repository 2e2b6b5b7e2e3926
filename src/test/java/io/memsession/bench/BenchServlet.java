package io.memsession.bench;

import java.io.IOException;
import java.util.Collections;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import io.memsession.SessionMetrics;

/**
 * The benchmark's application, mapped to {@code /bench/*}:
 * <ul>
 * <li>{@code /bench/create}: a new session; answers its id (the cookie carries it too);</li>
 * <li>{@code /bench/set?name=N&value=V}: sets attribute N to the long V;</li>
 * <li>{@code /bench/incr?name=N}: reads attribute N and sets it to that plus one (a deliberately
 *     non-atomic read-modify-write); answers the new value;</li>
 * <li>{@code /bench/read}: every attribute of the session, one {@code name=value} per line;</li>
 * <li>{@code /bench/metrics}: the filter's {@link SessionMetrics} of this node.</li>
 * </ul>
 * A request naming no live session is answered 410, so that it counts as an error and never as an
 * acknowledged write.
 */
public final class BenchServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String op = request.getPathInfo() == null ? "" : request.getPathInfo();
        response.setContentType("text/plain;charset=UTF-8");
        switch (op) {
            case "/create" -> {
                HttpSession session = request.getSession(true);
                response.getWriter().print(session.getId());
            }
            case "/set" -> {
                HttpSession session = existing(request, response);
                if (session != null) {
                    session.setAttribute(request.getParameter("name"), Long.valueOf(request.getParameter("value")));
                    response.getWriter().print("ok");
                }
            }
            case "/incr" -> {
                HttpSession session = existing(request, response);
                if (session != null) {
                    String name = request.getParameter("name");
                    Long current = (Long) session.getAttribute(name);
                    long next = (current == null ? 0 : current) + 1;
                    session.setAttribute(name, next);
                    response.getWriter().print(next);
                }
            }
            case "/read" -> {
                HttpSession session = existing(request, response);
                if (session != null) {
                    StringBuilder body = new StringBuilder();
                    for (String name : Collections.list(session.getAttributeNames())) {
                        body.append(name).append('=').append(session.getAttribute(name)).append('\n');
                    }
                    response.getWriter().print(body);
                }
            }
            case "/metrics" -> {
                SessionMetrics m = (SessionMetrics) getServletContext().getAttribute(SessionMetrics.CONTEXT_ATTRIBUTE);
                response.getWriter().print(m.loads() + " " + m.saves() + " " + m.touches() + " " + m.saveConflicts()
                        + " " + m.storeFailures() + " " + m.unreadableSessions());
            }
            default -> response.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }

    private static HttpSession existing(HttpServletRequest request, HttpServletResponse response) throws IOException {
        HttpSession session = request.getSession(false);
        if (session == null) {
            response.sendError(HttpServletResponse.SC_GONE, "no session");
        }
        return session;
    }
}
