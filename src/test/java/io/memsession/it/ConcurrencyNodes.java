package io.memsession.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Two Jetty nodes, A and B, of one webapp at {@value #CONTEXT} behind {@code MemcachedSessionFilter}, both on
 * the same memcached, serving {@link ConcurrencyServlet} at {@link ConcurrencyServlet#PATH}; plus helpers to
 * send requests in parallel and to name memcached keys.
 *
 * <p>For mutation checks only: {@code -Dmemsession.it.concurrency=none} (or another mode) replaces the
 * {@code concurrency} init-param of every pair, so that the merge and lock suites can be watched failing
 * against last-writer-wins. Normal runs leave it unset.
 */
final class ConcurrencyNodes implements AutoCloseable {

    static final String CONTEXT = "/app";
    /** The default key prefix for context path {@value #CONTEXT}. */
    static final String KEY_PREFIX = "memsession:" + CONTEXT + ":";
    static final String OVERRIDE_PROPERTY = "memsession.it.concurrency";

    private static final long REQUEST_DEADLINE_SECONDS = 30;

    final ContainerNode a;
    final ContainerNode b;

    private ConcurrencyNodes(ContainerNode a, ContainerNode b) {
        this.a = a;
        this.b = b;
    }

    /** Starts A and B with the given init-params (besides {@code servers}); stops A if B fails. */
    static ConcurrencyNodes start(MemcachedProcess memcached, Map<String, String> initParams) throws Exception {
        return start(memcached.address(), initParams);
    }

    /** Starts A and B on the memcached (or memcached proxy) at {@code servers}; stops A if B fails. */
    static ConcurrencyNodes start(String servers, Map<String, String> initParams) throws Exception {
        Map<String, String> params = new LinkedHashMap<>();
        // generous: these suites are about concurrency, not about a busy machine's memcached round trips
        params.put("opTimeoutMillis", "5000");
        params.putAll(initParams);
        String override = System.getProperty(OVERRIDE_PROPERTY);
        if (override != null && !override.isBlank()) {
            params.put("concurrency", override.trim());
        }
        ContainerNode a = node("A", servers, params);
        try {
            return new ConcurrencyNodes(a, node("B", servers, params));
        } catch (Exception | Error e) {
            a.stop();
            throw e;
        }
    }

    private static ContainerNode node(String name, String servers, Map<String, String> params)
            throws Exception {
        ContainerNode.Builder builder = ContainerNode.Kind.JETTY.builder(name).contextPath(CONTEXT)
                .servers(servers)
                .servlet("concurrency", ConcurrencyServlet.class, false, ConcurrencyServlet.PATH,
                        "/status" + ConcurrencyServlet.PATH);
        params.forEach(builder::initParam);
        return builder.start();
    }

    /** Lets every request still waiting in {@link ConcurrencyServlet} finish (a failed test), then stops both. */
    @Override
    public void close() throws Exception {
        ConcurrencyServlet.reset();
        try {
            a.stop();
        } finally {
            b.stop();
        }
    }

    /** URL of {@link ConcurrencyServlet} on {@code node} running {@code ops} in order. */
    static String url(ContainerNode node, String... ops) {
        return urlOf(node, ConcurrencyServlet.PATH, ops);
    }

    /** Same servlet under {@code /status/conc}, a path a test may exclude from locking. */
    static String statusUrl(ContainerNode node, String... ops) {
        return urlOf(node, "/status" + ConcurrencyServlet.PATH, ops);
    }

    private static String urlOf(ContainerNode node, String path, String... ops) {
        StringJoiner q = new StringJoiner("&", node.url(path) + "?", "");
        for (String op : ops) {
            q.add("do=" + URLEncoder.encode(op, StandardCharsets.UTF_8));
        }
        return q.toString();
    }

    /** Runs the ops on {@code node}; the answer must be 200. */
    static Browser.Response ok(Browser browser, ContainerNode node, String... ops) {
        Browser.Response r = browser.get(url(node, ops));
        assertEquals(200, r.status(), () -> node.name() + " answered " + r);
        return r;
    }

    /** Creates a session on {@code node} running {@code ops} after {@code create}; returns its id. */
    static String createSession(Browser browser, ContainerNode node, String... ops) {
        List<String> all = new ArrayList<>(List.of("create"));
        all.addAll(List.of(ops));
        Browser.Response r = ok(browser, node, all.toArray(String[]::new));
        String id = r.p("id");
        assertNotNull(id, r::toString);
        return id;
    }

    static String documentKey(String id) {
        return ItSupport.storedKey(KEY_PREFIX, id);
    }

    static String lockKey(String id) {
        return ItSupport.storedKey(KEY_PREFIX, id) + ".l";
    }

    static String accessKey(String id) {
        return ItSupport.storedKey(KEY_PREFIX, id) + ".a";
    }

    /**
     * Sends {@code n} requests at once: {@code n} threads wait on one start gate and are let go together;
     * returns their answers in request order. Each request is built by {@code request.apply(i)}.
     */
    static List<Browser.Response> parallel(int n, IntFunction<Browser.Response> request) {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch ready = new CountDownLatch(n);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Browser.Response>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    if (!go.await(REQUEST_DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("start gate never opened");
                    }
                    return request.apply(index);
                }));
            }
            if (!ready.await(REQUEST_DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("request threads did not start");
            }
            go.countDown();
            List<Browser.Response> answers = new ArrayList<>();
            for (Future<Browser.Response> f : futures) {
                answers.add(f.get(REQUEST_DEADLINE_SECONDS, TimeUnit.SECONDS));
            }
            return answers;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("a parallel request failed: " + e, e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Sends one request in the background (for a request the test holds inside the servlet). */
    static CompletableFuture<Browser.Response> background(Supplier<Browser.Response> request) {
        CompletableFuture<Browser.Response> answer = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                answer.complete(request.get());
            } catch (Throwable e) {
                answer.completeExceptionally(e);
            }
        }, "it-background-request");
        t.setDaemon(true);
        t.start();
        return answer;
    }

    /** The answer of a background request, waiting at most the request deadline. */
    static Browser.Response join(CompletableFuture<Browser.Response> pending) {
        try {
            return pending.get(REQUEST_DEADLINE_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("a background request failed: " + e, e);
        }
    }
}
