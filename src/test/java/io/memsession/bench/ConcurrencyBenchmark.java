package io.memsession.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * How the three {@code concurrency} modes behave under concurrent requests of the same sessions:
 * throughput, latency, errors, lost updates and memcached operations per request, written to
 * {@code docs/benchmarks/concurrency.md}.
 *
 * <p>Run it with {@code ./scripts/bench.sh}. Not part of {@code mvn verify}: the pom excludes the
 * {@code benchmark} tag by default.
 *
 * <p>Set-up: one memcached of its own; for each mode two Jetty nodes (A and B) sharing it;
 * {@value #DEFAULT_THREADS} client threads, each with its own {@link HttpClient} and no cookie store
 * (the session cookie is sent by hand). For each mode and workload, {@value #DEFAULT_SESSIONS} sessions
 * of its own; every request goes to a random session on a random node of the mode. The measured time
 * of each mode and workload is split in slices run round-robin, so that warm-up and drift of the
 * machine weigh on all modes alike.
 */
@Tag("benchmark")
class ConcurrencyBenchmark {

    static {
        // the interesting log lines are memsession's warnings (dropped changes, store failures)
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
    }

    static final int DEFAULT_THREADS = 32;
    static final int DEFAULT_SESSIONS = 1000;
    private static final int THREADS = Integer.getInteger("bench.threads", DEFAULT_THREADS);
    private static final int SESSIONS = Integer.getInteger("bench.sessions", DEFAULT_SESSIONS);
    /** Measured seconds per mode and workload, split into {@link #ROUNDS} interleaved slices. */
    private static final int SECONDS = Integer.getInteger("bench.seconds", 15);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    /** Warm-up before anything is measured, spread over the modes and workloads. */
    private static final int WARMUP_SECONDS = Integer.getInteger("bench.warmupSeconds", 18);
    private static final int WARMUP_SESSIONS = 100;
    private static final int LOCK_TIMEOUT_MILLIS = 10_000;
    private static final String COMMAND = "./scripts/bench.sh";
    private static final List<String> MODES = List.of("none", "merge", "lock");
    private static final List<String> MEMCACHED_COUNTERS = List.of("cmd_get", "get_hits", "get_misses", "cmd_set",
            "cmd_touch", "cas_hits", "cas_misses", "cas_badval", "delete_hits", "delete_misses");
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    enum Workload {
        ATTRIBUTES("different attributes"),
        COUNTER("counter");

        final String title;

        Workload(String title) {
            this.title = title;
        }
    }

    /** A session of the benchmark: its index and the Cookie header that names it. */
    private record Session(int index, String cookie) {
    }

    /** What one client thread did in one mode and workload; touched by that thread only while it drives. */
    private static final class ThreadLog {
        final int thread;
        final long[] lastAcknowledged;
        final int[] acknowledged;
        final Map<String, Long> errors = new TreeMap<>();
        long[] latencies = new long[4096];
        int requests;
        long counter;

        ThreadLog(int thread, int sessions) {
            this.thread = thread;
            this.lastAcknowledged = new long[sessions];
            this.acknowledged = new int[sessions];
        }

        void latency(long nanos) {
            if (requests == latencies.length) {
                latencies = Arrays.copyOf(latencies, requests * 2);
            }
            latencies[requests++] = nanos;
        }
    }

    /** One mode and workload: its nodes, its sessions, and what was measured so far over its slices. */
    private final class Run {
        final String mode;
        final Workload workload;
        final List<BenchNode> nodes;
        final List<Session> sessions;
        final List<ThreadLog> logs = new ArrayList<>();
        final Map<String, Long> memcached = new LinkedHashMap<>();
        final long[] filterMetrics = new long[6];
        double seconds;

        Run(String mode, Workload workload, List<BenchNode> nodes) throws Exception {
            this.mode = mode;
            this.workload = workload;
            this.nodes = nodes;
            this.sessions = createSessions(nodes, SESSIONS);
            for (int t = 0; t < THREADS; t++) {
                logs.add(new ThreadLog(t, SESSIONS));
            }
            MEMCACHED_COUNTERS.forEach(counter -> memcached.put(counter, 0L));
        }

        /** One measured slice: memcached and filter counters are read before and after it. */
        void slice(BenchMemcached server, int sliceSeconds) throws Exception {
            Map<String, String> statsBefore = server.stats();
            long[] metricsBefore = filterMetrics(nodes);
            long start = System.nanoTime();
            drive(nodes, sessions, workload, logs, sliceSeconds);
            seconds += (System.nanoTime() - start) / 1e9;
            long[] metricsAfter = filterMetrics(nodes);
            Map<String, String> statsAfter = server.stats();
            for (String counter : MEMCACHED_COUNTERS) {
                memcached.merge(counter, Long.parseLong(statsAfter.get(counter))
                        - Long.parseLong(statsBefore.get(counter)), Long::sum);
            }
            for (int i = 0; i < filterMetrics.length; i++) {
                filterMetrics[i] += metricsAfter[i] - metricsBefore[i];
            }
        }

        Result result() throws Exception {
            Verification verification = verify(nodes.get(0), sessions, workload, logs);
            int requests = logs.stream().mapToInt(l -> l.requests).sum();
            long[] latencies = new long[requests];
            int at = 0;
            Map<String, Long> errors = new TreeMap<>();
            for (ThreadLog log : logs) {
                System.arraycopy(log.latencies, 0, latencies, at, log.requests);
                at += log.requests;
                log.errors.forEach((kind, count) -> errors.merge(kind, count, Long::sum));
            }
            Arrays.sort(latencies);
            Result result = new Result(mode, workload, requests, seconds, percentile(latencies, 0.50) / 1e6,
                    percentile(latencies, 0.99) / 1e6, errors, verification, memcached, filterMetrics);
            log(String.format(Locale.ROOT, "%-5s %-20s %7d requests %8.1f req/s p50 %.2f ms p99 %.2f ms errors %s"
                    + " lost %d (+%d unacknowledged, %d sessions missing) memcached %s filter %s", mode,
                    workload.title, requests, requests / seconds, result.p50Millis(), result.p99Millis(), errors,
                    verification.lost(), verification.unacknowledgedApplied(), verification.sessionsMissing(),
                    memcached, Arrays.toString(filterMetrics)));
            return result;
        }
    }

    private record Verification(long lost, long unacknowledgedApplied, int sessionsMissing) {
    }

    private record Result(String mode, Workload workload, int requests, double seconds, double p50Millis,
            double p99Millis, Map<String, Long> errors, Verification verification, Map<String, Long> memcached,
            long[] filterMetrics) {

        double perRequest(long count) {
            return requests == 0 ? 0 : (double) count / requests;
        }

        long errorCount() {
            return errors.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final List<HttpClient> clients = new ArrayList<>();
    private ExecutorService pool;

    @Test
    void run() throws Exception {
        long started = System.nanoTime();
        Path base = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        Path target = base.resolve("target");
        Files.createDirectories(target);
        for (int i = 0; i < THREADS; i++) {
            clients.add(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build());
        }
        AtomicInteger threadNumber = new AtomicInteger();
        pool = Executors.newFixedThreadPool(THREADS, runnable -> {
            Thread thread = new Thread(runnable, "bench-client-" + threadNumber.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        });
        List<Result> results = new ArrayList<>();
        List<BenchNode> allNodes = new ArrayList<>();
        String memcachedVersion;
        try (BenchMemcached memcached = BenchMemcached.start(target.resolve("bench-memcached.log"))) {
            memcachedVersion = memcached.stats().get("version");
            log("memcached " + memcachedVersion + " on 127.0.0.1:" + memcached.port() + " (pid " + memcached.pid()
                    + ")");
            Map<String, List<BenchNode>> nodesByMode = new LinkedHashMap<>();
            for (String mode : MODES) {
                Map<String, String> params = params(memcached, mode);
                List<BenchNode> nodes = List.of(start(allNodes, mode + "-A", params),
                        start(allNodes, mode + "-B", params));
                nodesByMode.put(mode, nodes);
            }
            int warmupSlice = Math.max(1, WARMUP_SECONDS / (MODES.size() * Workload.values().length));
            for (List<BenchNode> nodes : nodesByMode.values()) {
                List<Session> warmup = createSessions(nodes, WARMUP_SESSIONS);
                for (Workload workload : Workload.values()) {
                    drive(nodes, warmup, workload, newLogs(WARMUP_SESSIONS), warmupSlice);
                }
            }
            log("warmed up");
            List<Run> runs = new ArrayList<>();
            for (String mode : MODES) {
                for (Workload workload : Workload.values()) {
                    runs.add(new Run(mode, workload, nodesByMode.get(mode)));
                }
            }
            // round-robin slices, each round starting one mode later: JIT warm-up and machine drift
            // spread over all modes instead of favouring the last one measured
            int sliceSeconds = Math.max(1, SECONDS / ROUNDS);
            int perMode = Workload.values().length;
            for (int round = 0; round < ROUNDS; round++) {
                for (int k = 0; k < runs.size(); k++) {
                    runs.get((k + round * perMode) % runs.size()).slice(memcached, sliceSeconds);
                }
                log("round " + (round + 1) + " of " + ROUNDS + " done");
            }
            for (Run run : runs) {
                results.add(run.result());
            }
        } finally {
            for (BenchNode node : allNodes) {
                node.close();
            }
            pool.shutdownNow();
        }
        double minutes = (System.nanoTime() - started) / 60e9;
        String report = markdown(results, memcachedVersion, minutes);
        Path doc = base.resolve("docs/benchmarks/concurrency.md");
        Files.createDirectories(doc.getParent());
        Files.writeString(doc, report, StandardCharsets.UTF_8);
        log("wrote " + doc + "\n" + report);

        for (Result r : results) {
            boolean mustKeepAll = r.mode().equals("lock")
                    || (r.mode().equals("merge") && r.workload() == Workload.ATTRIBUTES);
            if (mustKeepAll) {
                assertTrue(r.verification().lost() == 0, r.mode() + " / " + r.workload().title + ": "
                        + r.verification().lost() + " lost updates (store failures on the nodes: "
                        + r.filterMetrics()[4] + ")");
            }
        }
    }

    private static BenchNode start(List<BenchNode> started, String name, Map<String, String> params)
            throws Exception {
        BenchNode node = BenchNode.start(name, params);
        started.add(node);
        return node;
    }

    private static Map<String, String> params(BenchMemcached memcached, String mode) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("servers", "127.0.0.1:" + memcached.port());
        params.put("concurrency", mode);
        params.put("lockTimeoutMillis", Integer.toString(LOCK_TIMEOUT_MILLIS));
        return params;
    }

    private static List<ThreadLog> newLogs(int sessions) {
        List<ThreadLog> logs = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            logs.add(new ThreadLog(t, sessions));
        }
        return logs;
    }

    private static long percentile(long[] sorted, double fraction) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(fraction * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** Creates {@code count} sessions, alternately on each node, with all client threads. */
    private List<Session> createSessions(List<BenchNode> nodes, int count) throws Exception {
        Session[] sessions = new Session[count];
        runOnAllThreads(thread -> {
            for (int i = thread; i < count; i += THREADS) {
                BenchNode node = nodes.get(i % nodes.size());
                HttpResponse<String> response = send(thread, node.baseUrl() + "create", null);
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("creating a session: HTTP " + response.statusCode());
                }
                String setCookie = response.headers().firstValue("set-cookie")
                        .orElseThrow(() -> new IllegalStateException("no Set-Cookie for a new session"));
                String cookie = setCookie.split(";", 2)[0].trim();
                if (!cookie.endsWith("=" + response.body())) {
                    throw new IllegalStateException("cookie " + cookie + " does not name session " + response.body());
                }
                sessions[i] = new Session(i, cookie);
            }
            return null;
        });
        return List.of(sessions);
    }

    /**
     * Every client thread sends requests of {@code workload} for {@code seconds}, adding what it did to
     * its log.
     */
    private void drive(List<BenchNode> nodes, List<Session> sessions, Workload workload, List<ThreadLog> logs,
            int seconds) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Void>> running = new ArrayList<>();
        long[] deadline = new long[1];
        for (ThreadLog log : logs) {
            running.add(pool.submit(() -> {
                go.await();
                SplittableRandom random = new SplittableRandom(0x5eed_0000L + log.thread * 1_000_003L + log.requests);
                while (System.nanoTime() < deadline[0]) {
                    Session session = sessions.get(random.nextInt(sessions.size()));
                    BenchNode node = nodes.get(random.nextInt(nodes.size()));
                    long value = 0;
                    String url;
                    if (workload == Workload.ATTRIBUTES) {
                        value = ++log.counter;
                        url = node.baseUrl() + "set?name=t" + log.thread + "&value=" + value;
                    } else {
                        url = node.baseUrl() + "incr?name=count";
                    }
                    long sent = System.nanoTime();
                    String error = null;
                    try {
                        HttpResponse<String> response = send(log.thread, url, session.cookie());
                        if (response.statusCode() != 200) {
                            error = "HTTP " + response.statusCode();
                        }
                    } catch (IOException e) {
                        error = e.getClass().getSimpleName();
                    }
                    log.latency(System.nanoTime() - sent);
                    if (error != null) {
                        log.errors.merge(error, 1L, Long::sum);
                    } else if (workload == Workload.ATTRIBUTES) {
                        log.lastAcknowledged[session.index()] = value;
                    } else {
                        log.acknowledged[session.index()]++;
                    }
                }
                return null;
            }));
        }
        deadline[0] = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        go.countDown(); // publishes deadline[0] to the client threads
        for (Future<Void> future : running) {
            future.get();
        }
    }

    /**
     * Reads every session back (through node A) and counts the acknowledged writes it does not hold.
     * ATTRIBUTES: one lost update per (session, thread) whose stored {@code t<thread>} is below the last
     * value that thread had acknowledged. COUNTER: per session, acknowledged increments minus the
     * stored {@code count}, when positive.
     */
    private Verification verify(BenchNode node, List<Session> sessions, Workload workload, List<ThreadLog> logs)
            throws Exception {
        long[] lost = new long[THREADS];
        long[] extra = new long[THREADS];
        int[] missing = new int[THREADS];
        runOnAllThreads(thread -> {
            for (int i = thread; i < sessions.size(); i += THREADS) {
                Session session = sessions.get(i);
                HttpResponse<String> response = send(thread, node.baseUrl() + "read", session.cookie());
                Map<String, Long> stored = new HashMap<>();
                if (response.statusCode() == 200) {
                    for (String line : response.body().split("\n")) {
                        int eq = line.indexOf('=');
                        if (eq > 0) {
                            stored.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1)));
                        }
                    }
                } else {
                    missing[thread]++;
                }
                if (workload == Workload.ATTRIBUTES) {
                    for (ThreadLog log : logs) {
                        long expected = log.lastAcknowledged[i];
                        long actual = stored.getOrDefault("t" + log.thread, 0L);
                        if (actual < expected) {
                            lost[thread]++;
                        } else if (actual > expected) {
                            extra[thread]++;
                        }
                    }
                } else {
                    long expected = 0;
                    for (ThreadLog log : logs) {
                        expected += log.acknowledged[i];
                    }
                    long actual = stored.getOrDefault("count", 0L);
                    lost[thread] += Math.max(0, expected - actual);
                    extra[thread] += Math.max(0, actual - expected);
                }
            }
            return null;
        });
        return new Verification(Arrays.stream(lost).sum(), Arrays.stream(extra).sum(), Arrays.stream(missing).sum());
    }

    /** loads, saves, touches, saveConflicts, storeFailures, unreadable: summed over the nodes. */
    private long[] filterMetrics(List<BenchNode> nodes) throws Exception {
        long[] sum = new long[6];
        for (BenchNode node : nodes) {
            HttpResponse<String> response = send(0, node.baseUrl() + "metrics", null);
            String[] parts = response.body().trim().split(" ");
            for (int i = 0; i < sum.length; i++) {
                sum[i] += Long.parseLong(parts[i]);
            }
        }
        return sum;
    }

    private HttpResponse<String> send(int thread, String url, String cookie) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT).GET();
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return clients.get(thread).send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @FunctionalInterface
    private interface PerThread {
        Void run(int thread) throws Exception;
    }

    private void runOnAllThreads(PerThread work) throws Exception {
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            tasks.add(() -> work.run(thread));
        }
        for (Future<Void> future : pool.invokeAll(tasks)) {
            future.get();
        }
    }

    private static String markdown(List<Result> results, String memcachedVersion, double minutes) {
        StringBuilder md = new StringBuilder();
        md.append("# Concurrency benchmark\n\n");
        md.append("Written by `io.memsession.bench.ConcurrencyBenchmark` (src/test/java); do not edit by hand,"
                + " run it again:\n\n```\n").append(command()).append("\n```\n\n");
        md.append("- Date: ").append(ZonedDateTime.now(ZoneOffset.UTC).withNano(0)
                .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append('\n');
        md.append("- Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores");
        String cpu = cpuModel();
        if (cpu != null) {
            md.append(" (").append(cpu).append(')');
        }
        md.append(", ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.arch"))
                .append(", max heap ").append(Runtime.getRuntime().maxMemory() / (1024 * 1024)).append(" MB\n");
        md.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append('\n');
        md.append("- memcached ").append(memcachedVersion).append(" (`-m 256 -U 0`, default 4 threads), Jetty ")
                .append(org.eclipse.jetty.util.Jetty.VERSION).append(" (ee10)\n");
        md.append("- Whole run: ").append(String.format(Locale.ROOT, "%.1f", minutes)).append(" minutes\n\n");

        md.append("## Set-up\n\n");
        md.append("One memcached and, for each mode, two Jetty nodes (A and B) sharing it, all on 127.0.0.1;"
                + " the six nodes and the client threads in one JVM, memcached in its own process. Everything"
                + " competes for the same cores, so absolute numbers say little: compare the modes with each"
                + " other.\n\n");
        md.append("- ").append(THREADS).append(" client threads, each with its own `java.net.http.HttpClient`"
                + " (HTTP/1.1 keep-alive) sending the session's `Cookie` header itself; each request goes to a"
                + " random session on a random node (A or B) of the mode under test.\n");
        md.append("- Filter init-params: `servers`, `concurrency=<mode>`, `lockTimeoutMillis=")
                .append(LOCK_TIMEOUT_MILLIS).append("`; everything else default (`opTimeoutMillis=250`,"
                + " `lockTimeoutAction=fail`, `lockTtlSeconds=60`, `mutationDetection=compare`).\n");
        md.append("- ").append(WARMUP_SECONDS).append(" s of warm-up (every mode, both workloads, on sessions"
                + " of their own), then for each mode × workload ").append(SESSIONS).append(" sessions created"
                + " up front and ").append(ROUNDS * Math.max(1, SECONDS / ROUNDS)).append(" s of requests, in ")
                .append(ROUNDS).append(" slices run round-robin with the other mode × workload pairs (each round"
                + " starting with the next mode), so that warm-up and drift weigh on all modes alike. At the end"
                + " every session is read back through node A.\n");
        md.append("  - **different attributes**: client thread *t* sets attribute `t<t>` to its own"
                + " incrementing counter. Only that thread writes that attribute, so a correct merge keeps"
                + " every write. *Lost updates* = (session, thread) pairs whose stored value is below the last"
                + " value that thread wrote with an HTTP 200 (at most ").append(SESSIONS).append(" × ")
                .append(THREADS).append(" pairs).\n");
        md.append("  - **counter**: `count = getAttribute(\"count\") + 1`, a read-modify-write of one"
                + " attribute. *Lost updates* = acknowledged (HTTP 200) increments minus the stored `count`,"
                + " summed over the sessions.\n\n");

        md.append("## Results\n\n");
        md.append("| mode | workload | requests | req/s | p50 ms | p99 ms | errors | lost updates"
                + " | gets/req | sets/req | cas/req | touch/req |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            Map<String, Long> m = r.memcached();
            md.append(String.format(Locale.ROOT, "| `%s` | %s | %d | %.0f | %.2f | %.2f | %s | %d | %.2f | %.2f"
                    + " | %.2f | %.2f |\n", r.mode(), r.workload().title, r.requests(), r.requests() / r.seconds(),
                    r.p50Millis(), r.p99Millis(), errors(r), r.verification().lost(), r.perRequest(m.get("cmd_get")),
                    r.perRequest(m.get("cmd_set")),
                    r.perRequest(m.get("cas_hits") + m.get("cas_misses") + m.get("cas_badval")),
                    r.perRequest(m.get("cmd_touch"))));
        }
        md.append("\nmemcached counters are the difference of `stats` before and after the measured requests"
                + " (session creation and the read-back are not counted), divided by the requests:\n\n");
        md.append("- *gets* = `cmd_get`, which counts **keys**: loading a session is one `gets` of two keys"
                + " (the document and its access record), so 2.00 per request is one load.\n");
        md.append("- *sets* = `cmd_set`, every storage command: `set`, `add` (session creation, lock"
                + " acquisition), `replace` (mode `none`) and `cas` (merge save, lock release).\n");
        md.append("- *cas* = `cas_hits + cas_misses + cas_badval`, the `cas` commands among the sets.\n");
        md.append("- *touch* = `cmd_touch`.\n\n");

        md.append("## Details\n\n");
        md.append("| mode | workload | failed cas/req | deletes/req | save conflicts (filter) | store failures"
                + " (filter) | written but not acknowledged | sessions missing at read-back |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            Map<String, Long> m = r.memcached();
            md.append(String.format(Locale.ROOT, "| `%s` | %s | %.3f | %.3f | %d | %d | %d | %d |\n", r.mode(),
                    r.workload().title, r.perRequest(m.get("cas_badval") + m.get("cas_misses")),
                    r.perRequest(m.get("delete_hits") + m.get("delete_misses")), r.filterMetrics()[3],
                    r.filterMetrics()[4], r.verification().unacknowledgedApplied(),
                    r.verification().sessionsMissing()));
        }
        md.append("\n- *failed cas* = `cas_badval + cas_misses`: a merge save that found the session changed"
                + " and retried, or a lock release that found the lock no longer its own.\n");
        md.append("- *save conflicts* and *store failures* are the filter's `SessionMetrics` of both nodes:"
                + " merges that had to re-read the session, and memcached operations that failed or timed"
                + " out (the request went on without them).\n");
        md.append("- *written but not acknowledged*: a stored value above what the clients saw acknowledged"
                + " (a request that saved, then failed or timed out on its way back); not a loss.\n\n");
        md.append("Expected: no lost updates in `lock` mode (both workloads) nor in `merge` mode for different"
                + " attributes; lost counter increments in `merge` and `none`; lost attribute writes in `none`,"
                + " where each save writes back the whole session as its request saw it.\n");
        return md.toString();
    }

    /** The command that reproduces this run: the script, plus any {@code -Dbench.*} it was given. */
    private static String command() {
        StringBuilder command = new StringBuilder(COMMAND);
        new TreeMap<>(System.getProperties()).forEach((name, value) -> {
            if (name.toString().startsWith("bench.")) {
                command.append(" -D").append(name).append('=').append(value);
            }
        });
        return command.toString();
    }

    private static String errors(Result r) {
        if (r.errorCount() == 0) {
            return "0";
        }
        StringBuilder text = new StringBuilder().append(r.errorCount()).append(" (");
        r.errors().forEach((kind, count) -> text.append(kind).append(" ×").append(count).append(", "));
        text.setLength(text.length() - 2);
        return text.append(')').toString();
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim().replaceAll("\\s+", " ");
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: leave it out
        }
        return null;
    }

    private static void log(String message) {
        System.out.println("[bench] " + message);
        System.out.flush();
    }
}
