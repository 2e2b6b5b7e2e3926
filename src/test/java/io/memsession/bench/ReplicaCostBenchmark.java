package io.memsession.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What {@code replicas=2} costs per request against {@code replicas=1}: memcached operations per
 * request (from the {@code stats} deltas of both servers) and a rough latency and throughput, for a
 * request that changes its session ({@code /incr}) and one that only reads it ({@code /read}).
 *
 * <p>A rough comparison on a shared machine, printed to stdout; not part of {@code mvn verify} (tag
 * {@code benchmark}). Run: {@code mvn -q test -Dgroups=benchmark -DexcludedGroups= -Dtest=ReplicaCostBenchmark}.
 */
@Tag("benchmark")
class ReplicaCostBenchmark {

    private static final int SESSIONS = 200;
    private static final int THREADS = 8;
    private static final int REQUESTS = Integer.getInteger("bench.requests", 20_000);
    private static final List<String> COUNTERS = List.of("cmd_get", "cmd_set", "cmd_touch", "delete_hits",
            "delete_misses");

    @Test
    void replicasTwo_againstOne() throws Exception {
        StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
                "| replicas | request | keys read/req | writes/req | touches/req | deletes/req | req/s | mean ms | p99 ms |%n"
                        + "|---|---|---|---|---|---|---|---|---|%n"));
        int[] order = {1, 2, 1, 2, 1, 2};
        for (int i = 0; i < order.length; i++) {
            // the first pair warms the JIT up for both; the next pairs are measured
            measure(order[i], report, i < 2);
        }
        System.out.println(report);
    }

    private void measure(int replicas, StringBuilder report, boolean warmupOnly) throws Exception {
        Path log = Files.createTempFile("replica-bench-", ".log");
        try (BenchMemcached one = BenchMemcached.start(log); BenchMemcached two = BenchMemcached.start(log)) {
            BenchNode node = BenchNode.start("r" + replicas, Map.of("servers",
                    "127.0.0.1:" + one.port() + " 127.0.0.1:" + two.port(), "replicas", Integer.toString(replicas)));
            try {
                HttpClient client = HttpClient.newHttpClient();
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < SESSIONS; i++) {
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "create"))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    ids.add(r.body());
                }
                for (String op : List.of("incr?name=n", "read")) {
                    run(node, ids, op, REQUESTS / 4, null);
                    long[] before = counters(one, two);
                    long[] nanos = new long[REQUESTS];
                    long started = System.nanoTime();
                    run(node, ids, op, REQUESTS, nanos);
                    double seconds = (System.nanoTime() - started) / 1e9;
                    long[] after = counters(one, two);
                    if (!warmupOnly) {
                        report.append(row(replicas, op, before, after, nanos, seconds));
                    }
                }
            } finally {
                node.close();
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static String row(int replicas, String op, long[] before, long[] after, long[] nanos, double seconds) {
        double[] perRequest = new double[COUNTERS.size()];
        for (int i = 0; i < perRequest.length; i++) {
            perRequest[i] = (after[i] - before[i]) / (double) REQUESTS;
        }
        Arrays.sort(nanos);
        double mean = Arrays.stream(nanos).average().orElse(0) / 1e6;
        double p99 = nanos[(int) (nanos.length * 0.99)] / 1e6;
        return String.format(Locale.ROOT, "| %d | %s | %.2f | %.2f | %.2f | %.2f | %.0f | %.3f | %.3f |%n", replicas,
                op.startsWith("incr") ? "change" : "read only", perRequest[0], perRequest[1], perRequest[2],
                perRequest[3] + perRequest[4], REQUESTS / seconds, mean, p99);
    }

    /** {@code count} requests of {@code op} over the sessions from {@value #THREADS} threads. */
    private static void run(BenchNode node, List<String> ids, String op, int count, long[] nanos) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                workers.add(pool.submit(() -> {
                    HttpClient client = HttpClient.newHttpClient();
                    for (int i = thread; i < count; i += THREADS) {
                        String id = ids.get(i % ids.size());
                        HttpRequest request = HttpRequest.newBuilder(URI.create(node.baseUrl() + op))
                                .header("Cookie", "JSESSIONID=" + id).build();
                        long t0 = System.nanoTime();
                        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                        if (nanos != null) {
                            nanos[i] = System.nanoTime() - t0;
                        }
                        assertEquals(200, r.statusCode(), r.body());
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static long[] counters(BenchMemcached... servers) throws Exception {
        long[] sums = new long[COUNTERS.size()];
        for (BenchMemcached server : servers) {
            Map<String, String> stats = server.stats();
            for (int i = 0; i < sums.length; i++) {
                sums[i] += Long.parseLong(stats.get(COUNTERS.get(i)));
            }
        }
        return sums;
    }
}
