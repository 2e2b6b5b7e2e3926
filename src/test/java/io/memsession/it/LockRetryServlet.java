package io.memsession.it;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /retry}: an application that does not let a session exception escape. It calls
 * {@code getSession(true)}, catches an {@link IllegalStateException} (which the lock timeout exception is),
 * then calls {@code getSession(true)} once more, and answers 200 with what each call gave:
 * {@code first=} / {@code second=} either {@code session} (with {@code firstId=} / {@code secondId=} and
 * {@code secondIsNew=}) or the exception's class name.
 */
public final class LockRetryServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        StringBuilder out = new StringBuilder("\n");
        attempt(req, "first", out);
        attempt(req, "second", out);
        resp.setContentType("text/plain;charset=UTF-8");
        resp.getOutputStream().write(out.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void attempt(HttpServletRequest req, String label, StringBuilder out) {
        try {
            HttpSession session = req.getSession(true);
            out.append(label).append("=session\n");
            out.append(label).append("Id=").append(session.getId()).append('\n');
            out.append(label).append("IsNew=").append(session.isNew()).append('\n');
        } catch (IllegalStateException e) {
            out.append(label).append('=').append(e.getClass().getName()).append('\n');
        }
    }
}
