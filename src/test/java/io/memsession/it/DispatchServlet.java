package io.memsession.it;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /dispatch?mode=forward|include&target=/probe?do=...}: gets (or creates) the session, sets
 * attribute {@code dispatcher=<mode>}, leaves the session's identity hash and id in request attributes
 * {@code dispatcher.sessionHash} / {@code dispatcher.sessionId}, and forwards to or includes {@code target}
 * (typically {@link ProbeServlet}, whose ops can compare with {@code reqattr:}). After an include it adds
 * {@code dispatcher.after.*} lines: whether {@code getSession(false)} is still the same object, and its
 * attribute names as the includer sees them.
 */
public final class DispatchServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String mode = req.getParameter("mode");
        HttpSession session = req.getSession(true);
        session.setAttribute("dispatcher", mode);
        req.setAttribute("dispatcher.sessionHash", System.identityHashCode(session));
        req.setAttribute("dispatcher.sessionId", session.getId());
        RequestDispatcher target = req.getRequestDispatcher(req.getParameter("target"));
        switch (mode) {
            case "forward" -> target.forward(req, resp);
            case "include" -> {
                resp.setContentType("text/plain;charset=UTF-8");
                ServletOutputStream out = resp.getOutputStream();
                out.write("\ndispatcher.before=ok\n".getBytes(StandardCharsets.UTF_8));
                target.include(req, resp);
                HttpSession after = req.getSession(false);
                StringBuilder sb = new StringBuilder("\n");
                sb.append("dispatcher.after.sameObject=").append(after == session).append('\n');
                sb.append("dispatcher.after.names=").append(after == null ? "null"
                        : String.join(",", java.util.Collections.list(after.getAttributeNames()).stream()
                                .sorted().toList())).append('\n');
                out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            }
            default -> resp.sendError(400, "mode must be forward or include");
        }
    }
}
