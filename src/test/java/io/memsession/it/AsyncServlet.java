package io.memsession.it;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /async?hold=H&name=N&value=V&via=captured|asyncContext}: with the request's existing session,
 * commits the response head ({@code async.head=sent}), starts async and returns; a container thread
 * ({@link AsyncContext#start}) then waits for {@link ProbeServlet#release(String) release(H)}, sets session
 * attribute N=V, writes {@code async.*} lines and completes. {@code via=captured} uses the session object
 * obtained in {@code doGet}; {@code via=asyncContext} asks {@code asyncContext.getRequest()} for the session,
 * as code running later often does.
 */
public final class AsyncServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        HttpSession captured = req.getSession(false);
        resp.setContentType("text/plain;charset=UTF-8");
        if (captured == null) {
            resp.getOutputStream().write("\nasync.session=null\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        String hold = req.getParameter("hold");
        String name = req.getParameter("name");
        String value = req.getParameter("value");
        boolean viaAsyncContext = "asyncContext".equals(req.getParameter("via"));
        resp.getOutputStream().write("\nasync.head=sent\n".getBytes(StandardCharsets.UTF_8));
        resp.flushBuffer();

        AsyncContext async = req.startAsync();
        async.setTimeout(20_000);
        async.start(() -> {
            StringBuilder sb = new StringBuilder();
            try {
                sb.append("async.released=").append(ProbeServlet.await(hold)).append('\n');
                HttpSession session = viaAsyncContext
                        ? ((HttpServletRequest) async.getRequest()).getSession(false) : captured;
                sb.append("async.session=").append(session == null ? "null" : "present").append('\n');
                if (session != null) {
                    sb.append("async.sameObject=").append(session == captured).append('\n');
                    sb.append("async.sessionClass=").append(session.getClass().getName()).append('\n');
                    session.setAttribute(name, value);
                    sb.append("async.set=ok\n");
                }
            } catch (RuntimeException e) {
                sb.append("async.error=").append(e).append('\n');
            } finally {
                try {
                    async.getResponse().getOutputStream().write(sb.toString().getBytes(StandardCharsets.UTF_8));
                } catch (IOException | RuntimeException ignored) {
                    // the client is gone; completing is all that is left
                }
                async.complete();
            }
        });
    }
}
