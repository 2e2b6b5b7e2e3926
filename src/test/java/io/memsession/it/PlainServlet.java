package io.memsession.it;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A servlet that never touches the session: requests to it must cost memcached nothing. It answers the way
 * a container's static-file servlet does (Jetty's first removes any Content-Length with
 * {@code setHeader(name, null)}), so the tests that use it also prove such responses pass the filter.
 */
public final class PlainServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain;charset=UTF-8");
        resp.setHeader("Content-Length", null);
        resp.getOutputStream().write("plain=ok\n".getBytes(StandardCharsets.UTF_8));
    }
}
