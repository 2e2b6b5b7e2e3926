package io.memsession.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.HttpCookie;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Test client: one {@link HttpClient} with one cookie jar, shared across every node. All nodes listen on
 * 127.0.0.1 (different ports) and cookies ignore the port, so the jar behaves like a browser behind a
 * load balancer that sends request N to node A and request N+1 to node B.
 *
 * <p>{@link #raw} sends a hand-written HTTP/1.0 request over a plain socket, outside the jar, for cookie
 * headers that {@link HttpClient} would refuse or rewrite.
 */
final class Browser {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .cookieHandler(cookies)
            .build();

    /** A complete response: status, body as text, headers (names lower-case). */
    record Response(int status, String body, Map<String, List<String>> headers) {

        List<String> header(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }

        List<String> setCookies() {
            return header("set-cookie");
        }

        /** The Set-Cookie headers for cookie {@code name}. */
        List<String> setCookies(String name) {
            List<String> out = new ArrayList<>();
            for (String sc : setCookies()) {
                if (sc.startsWith(name + "=")) {
                    out.add(sc);
                }
            }
            return out;
        }

        /** The probe's {@code key=value} answer lines (last one wins for repeated keys). */
        Map<String, String> probe() {
            Map<String, String> out = new LinkedHashMap<>();
            for (String line : body.split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    out.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            return out;
        }

        /** One probe answer, or null when the probe did not report it. */
        String p(String key) {
            return probe().get(key);
        }

        @Override
        public String toString() {
            return "HTTP " + status + " " + headers + "\n" + body;
        }
    }

    Response get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    Response post(String url, Map<String, String> form) {
        StringJoiner body = new StringJoiner("&");
        form.forEach((k, v) -> body.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    /**
     * Starts a GET whose future completes as soon as the response head has arrived (cookies already in
     * the jar), while the body may still be streaming: for requests a test holds open inside the servlet.
     * Finish it with {@link #finish}.
     */
    CompletableFuture<HttpResponse<InputStream>> getStreaming(String url) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build();
        return client.sendAsync(req, HttpResponse.BodyHandlers.ofInputStream());
    }

    /** Reads the rest of a {@link #getStreaming} response. */
    static Response finish(HttpResponse<InputStream> r) {
        try (InputStream in = r.body()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Map<String, List<String>> headers = new TreeMap<>();
            r.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
            return new Response(r.statusCode(), body, headers);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Response send(HttpRequest.Builder builder) {
        try {
            HttpResponse<String> r = client.send(builder.timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return toResponse(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Response toResponse(HttpResponse<String> r) {
        Map<String, List<String>> headers = new TreeMap<>();
        r.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
        return new Response(r.statusCode(), r.body(), headers);
    }

    /** The value of cookie {@code name} in the jar, if any. */
    Optional<String> cookie(String name) {
        return cookies.getCookieStore().getCookies().stream()
                .filter(c -> c.getName().equals(name))
                .map(HttpCookie::getValue)
                .findFirst();
    }

    /** Every cookie in the jar named {@code name}. */
    List<HttpCookie> cookies(String name) {
        return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals(name)).toList();
    }

    void clearCookies() {
        cookies.getCookieStore().removeAll();
    }

    /**
     * Sends {@code GET pathAndQuery HTTP/1.0} to 127.0.0.1:port over a raw socket with the given extra
     * header lines written byte for byte (ISO-8859-1 for chars up to U+00FF, so a test can send any
     * octet; a string with chars above that is sent as UTF-8). Not using the cookie jar.
     */
    static Response raw(int port, String pathAndQuery, String... headerLines) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            s.setSoTimeout((int) TIMEOUT.toMillis());
            ByteArrayOutputStream req = new ByteArrayOutputStream();
            req.writeBytes(("GET " + pathAndQuery + " HTTP/1.0\r\nHost: 127.0.0.1:" + port + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            for (String h : headerLines) {
                req.writeBytes(encode(h));
                req.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            req.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            out.write(req.toByteArray());
            out.flush();
            return parseRaw(s.getInputStream().readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #raw} with one {@code Cookie:} header carrying {@code cookieHeaderValue} verbatim. */
    static Response rawWithCookie(int port, String pathAndQuery, String cookieHeaderValue) {
        return raw(port, pathAndQuery, "Cookie: " + cookieHeaderValue);
    }

    private static byte[] encode(String s) {
        boolean latin1 = s.chars().allMatch(c -> c <= 0xFF);
        return s.getBytes(latin1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    }

    private static Response parseRaw(byte[] bytes) throws IOException {
        String all = new String(bytes, StandardCharsets.ISO_8859_1);
        int end = all.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IOException("no complete response head in " + bytes.length + " bytes: " + all);
        }
        String[] lines = all.substring(0, end).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        int status = Integer.parseInt(statusLine[1]);
        Map<String, List<String>> headers = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        k -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
            }
        }
        byte[] body = java.util.Arrays.copyOfRange(bytes, end + 4, bytes.length);
        return new Response(status, new String(body, StandardCharsets.UTF_8), headers);
    }
}
