package io.memsession.benchmark;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.memsession.testdb.TestDatabase;

/**
 * The speed benchmark of issue 10: Jetty in-memory sessions, Jetty's memcached sessions (non-sticky) and
 * memsession in each concurrency mode, one Jetty 12 server JVM per mode, one fresh memcached, wrk as the
 * closed-loop load generator; writes a Markdown report. Run through {@code scripts/bench-speed.sh}.
 *
 * <p>Every knob is a system property {@code bench.*}; {@code -Dbench.quick=true} selects short defaults
 * for a try (about 2 minutes in all).
 */
public final class SpeedBenchmark {

    private static final boolean QUICK = Boolean.getBoolean("bench.quick");
    private static final List<String> MODES = List.of(System.getProperty("bench.modes",
            "jetty-memory,jetty-memcached,memsession-merge,memsession-lock,memsession-none").split(","));
    private static final List<String> ENDPOINTS = List.of(System.getProperty("bench.endpoints",
            "/counter,/read,/static").split(","));
    private static final int SESSIONS = Integer.getInteger("bench.sessions", 1000);
    private static final int CONNECTIONS = Integer.getInteger("bench.connections", 32);
    private static final int WRK_THREADS = Integer.getInteger("bench.wrkThreads", 2);
    private static final int WARMUP_SLICE = Integer.getInteger("bench.warmupSliceSeconds", QUICK ? 2 : 5);
    private static final int WARMUP_MIN = Integer.getInteger("bench.warmupMinSeconds", QUICK ? 4 : 60);
    private static final int WARMUP_MAX = Integer.getInteger("bench.warmupMaxSeconds", QUICK ? 8 : 150);
    private static final int STABLE_SLICES = Integer.getInteger("bench.stableSlices", 3);
    private static final double STABLE_TOLERANCE = Double.parseDouble(System.getProperty("bench.stableTolerance",
            QUICK ? "0.10" : "0.05"));
    private static final int MEASURE = Integer.getInteger("bench.seconds", QUICK ? 3 : 10);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", QUICK ? 1 : 3);
    private static final List<String> PROFILE_MODES = List.of(System.getProperty("bench.profile",
            QUICK ? "" : "memsession-merge").split(",")).stream().filter(s -> !s.isBlank()).toList();
    private static final List<String> PROFILE_ENDPOINTS = List.of(System.getProperty("bench.profileEndpoints",
            "/read,/counter").split(","));
    private static final int PROFILE_SECONDS = Integer.getInteger("bench.profileSeconds", QUICK ? 3 : 15);
    /** New sessions created after the rounds to see how much of the heap each one takes on the node. */
    private static final int HEAP_PROBE_SESSIONS = Integer.getInteger("bench.heapProbeSessions", QUICK ? 1000 : 5000);
    private static final String SERVER_HEAP = System.getProperty("bench.serverHeap", "1g");
    /** Other processes' CPU, in % of the whole machine, above which a measurement is flagged disturbed. */
    private static final double DISTURBED_PERCENT = Double.parseDouble(System.getProperty("bench.disturbedPercent",
            "10"));
    private static final Path OUTPUT = Path.of(System.getProperty("bench.output", "docs/benchmarks/speed.md"));
    private static final Path WORK = Path.of(System.getProperty("bench.work", "benchmark/target/speed-run"));
    private static final Path LUA = Path.of(System.getProperty("bench.lua",
            "benchmark/src/main/resources/rotate-cookies.lua"));
    private static final List<String> MEMCACHED_OPS = List.of("cmd_get", "get_hits", "cmd_set", "cas_hits",
            "cas_misses", "cas_badval", "cmd_touch", "delete_hits", "delete_misses", "incr_hits", "decr_hits",
            "bytes_read", "bytes_written");
    /**
     * Another build of the library, for an A/B comparison in one run: a mode written {@code <mode>@baseline}
     * runs with this jar in place of the memsession jar.
     */
    private static final String BASELINE_JAR = System.getProperty("bench.baselineJar", "");
    private static final Pattern READY = Pattern.compile("READY (\\d+)");

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final ExecutorService pool = Executors.newFixedThreadPool(8);
    private final Wrk wrk = new Wrk(LUA.toAbsolutePath(), WRK_THREADS, CONNECTIONS);
    private Memcached memcached;
    /** PostgreSQL, started only when a mode runs the durable tier. */
    private TestDatabase database;

    /** One server JVM of a mode, with what its start-up and warm-up showed. */
    private static final class Node {
        final String mode;
        Process process;
        int port;
        Path cookies;
        double creationSeconds;
        final List<double[]> warmup = new ArrayList<>(); // {elapsed seconds at slice end, req/s}
        double flatAfterSeconds = Double.NaN;
        double steadyRps = Double.NaN;
        double to90Seconds = Double.NaN;
        boolean flat;
        long heapBaseline;
        long heapEnd;
        long heapAfterProbe;

        Node(String mode) {
            this.mode = mode;
        }
    }

    /** One measured run of one endpoint on one mode. */
    private record Run(String mode, String endpoint, int round, Wrk.Result wrk, long serverTicks, long memcachedTicks,
            long wrkTicks, long databaseTicks, long allocatedBytes, Map<String, Long> memcached, long dbStatements,
            long acknowledged, long applied, double idleBusyPercent, double otherPercent, double stealPercent, String loadAverage) {
        boolean disturbed() {
            return otherPercent > DISTURBED_PERCENT || idleBusyPercent > DISTURBED_PERCENT * 1.5;
        }

        double perRequest(long value) {
            return wrk.requests() == 0 ? Double.NaN : (double) value / wrk.requests();
        }
    }

    public static void main(String[] args) throws Exception {
        SpeedBenchmark bench = new SpeedBenchmark();
        try {
            bench.run();
        } finally {
            bench.pool.shutdownNow();
        }
    }

    private final List<Node> nodes = new ArrayList<>();
    private final List<Run> runs = new ArrayList<>();
    private final Map<String, String> profiles = new LinkedHashMap<>();

    private void run() throws Exception {
        Instant started = Instant.now();
        Files.createDirectories(WORK);
        log("work directory " + WORK.toAbsolutePath() + (QUICK ? " (quick mode)" : ""));
        memcached = Memcached.start(WORK.resolve("memcached.log"));
        log("memcached on 127.0.0.1:" + memcached.port() + " (pid " + memcached.pid() + ")");
        if (MODES.stream().anyMatch(mode -> mode.contains(BenchServer.DURABLE_SUFFIX))) {
            database = TestDatabase.Kind.POSTGRESQL.start();
            log("PostgreSQL for the durable-tier modes: " + database.jdbcUrl());
        }
        try {
            for (String mode : MODES) {
                Node node = startNode(mode);
                nodes.add(node);
                createSessions(node);
                warmUp(node);
            }
            for (int round = 1; round <= ROUNDS; round++) {
                for (int i = 0; i < nodes.size(); i++) {
                    Node node = nodes.get((i + round - 1) % nodes.size());
                    for (String endpoint : ENDPOINTS) {
                        runs.add(measure(node, endpoint, round));
                    }
                }
            }
            for (Node node : nodes) {
                if (PROFILE_MODES.contains(node.mode)) {
                    profile(node);
                }
                heapProbe(node);
            }
        } finally {
            for (Node node : nodes) {
                stop(node);
            }
            memcached.close();
            if (database != null) {
                database.close();
            }
        }
        double minutes = Duration.between(started, Instant.now()).toSeconds() / 60.0;
        Files.createDirectories(OUTPUT.toAbsolutePath().getParent());
        Files.writeString(OUTPUT, report(minutes));
        log("wrote " + OUTPUT.toAbsolutePath() + String.format(Locale.ROOT, " after %.1f minutes", minutes));
    }

    /**
     * CPU ticks of the database server's processes (the postmaster and its backends), so that the tier's
     * database counts as part of the system under test rather than as load from elsewhere.
     */
    private long databaseTicks() throws IOException {
        if (database == null) {
            return 0;
        }
        long ticks = 0;
        for (ProcessHandle process : ProcessHandle.allProcesses().toList()) {
            if (process.info().command().map(command -> command.endsWith("/postgres")).orElse(false)) {
                try {
                    ticks += Proc.processTicks(process.pid(), false);
                } catch (IOException | RuntimeException gone) {
                    // a backend that ended between the listing and the read: its ticks are lost either way
                }
            }
        }
        return ticks;
    }

    // ---------------------------------------------------------------- servers

    private Node startNode(String mode) throws Exception {
        Node node = new Node(mode);
        Path log = WORK.resolve(mode.replaceAll("[^A-Za-z0-9._-]", "_") + ".log");
        Files.deleteIfExists(log);
        String classPath = System.getProperty("java.class.path");
        String serverMode = mode;
        if (mode.endsWith("@baseline")) {
            serverMode = mode.substring(0, mode.length() - "@baseline".length());
            if (BASELINE_JAR.isEmpty() || !Files.isRegularFile(Path.of(BASELINE_JAR))) {
                throw new IllegalArgumentException("bench.baselineJar: mode " + mode + " needs an existing jar,"
                        + " not '" + BASELINE_JAR + "'");
            }
            classPath = replaceLibraryJar(classPath, BASELINE_JAR);
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xms" + SERVER_HEAP, "-Xmx" + SERVER_HEAP, "-XX:+UseG1GC",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", classPath));
        if (database != null) {
            command.addAll(List.of("-Dbench.jdbcUrl=" + database.jdbcUrl(), "-Dbench.jdbcUser=" + database.user(),
                    "-Dbench.jdbcPassword=" + database.password()));
        }
        command.addAll(List.of(BenchServer.class.getName(), serverMode, Integer.toString(memcached.port())));
        node.process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!node.process.isAlive()) {
                throw new IllegalStateException(mode + ": server exited: " + Files.readString(log));
            }
            Matcher ready = READY.matcher(Files.exists(log) ? Files.readString(log) : "");
            if (ready.find()) {
                node.port = Integer.parseInt(ready.group(1));
                break;
            }
            Thread.sleep(100);
        }
        if (node.port == 0) {
            stop(node);
            throw new IllegalStateException(mode + ": server did not start within 60 s (see " + log + ")");
        }
        node.heapBaseline = serverStats(node, true).get("heapUsedAfterGc");
        log(mode + ": server on 127.0.0.1:" + node.port + " (pid " + node.process.pid() + ")");
        return node;
    }

    /** The class path with the memsession library jar (or classes folder) swapped for {@code jar}. */
    private static String replaceLibraryJar(String classPath, String jar) {
        List<String> entries = new ArrayList<>();
        boolean replaced = false;
        for (String entry : classPath.split(java.io.File.pathSeparator)) {
            if (entry.matches(".*/memsession-[^/]*\\.jar") && !entry.contains("speed-benchmark")) {
                entries.add(jar);
                replaced = true;
            } else {
                entries.add(entry);
            }
        }
        if (!replaced) {
            throw new IllegalStateException("no memsession jar on the class path to replace: " + classPath);
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    private void stop(Node node) throws InterruptedException {
        if (node.process != null && node.process.isAlive()) {
            node.process.destroy();
            if (!node.process.waitFor(10, TimeUnit.SECONDS)) {
                node.process.destroyForcibly();
                node.process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Heap in use after a full GC, before and after {@link #HEAP_PROBE_SESSIONS} more sessions are created
     * (each one a /counter request with a new profile): what the node keeps per session once requests end.
     */
    private void heapProbe(Node node) throws Exception {
        node.heapEnd = serverStats(node, true).get("heapUsedAfterGc");
        List<Future<Integer>> created = new ArrayList<>();
        for (int i = 0; i < HEAP_PROBE_SESSIONS; i++) {
            created.add(pool.submit(() -> get(node, "/counter", null).statusCode()));
        }
        for (Future<Integer> f : created) {
            if (f.get() != 200) {
                throw new IOException(node.mode + ": /counter without a cookie answered " + f.get());
            }
        }
        node.heapAfterProbe = serverStats(node, true).get("heapUsedAfterGc");
        log(String.format(Locale.ROOT, "%s: heap after GC %.1f MB, %.1f MB after %d more sessions (%.0f B each)",
                node.mode, node.heapEnd / 1e6, node.heapAfterProbe / 1e6, HEAP_PROBE_SESSIONS,
                (double) (node.heapAfterProbe - node.heapEnd) / HEAP_PROBE_SESSIONS));
    }

    private HttpResponse<String> get(Node node, String path, String cookie) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port + path))
                .timeout(Duration.ofSeconds(30));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Map<String, Long> serverStats(Node node, boolean heap) throws IOException, InterruptedException {
        HttpResponse<String> response = get(node, "/_bench/stats" + (heap ? "?heap" : ""), null);
        if (response.statusCode() != 200) {
            throw new IOException(node.mode + ": stats answered " + response.statusCode());
        }
        Map<String, Long> stats = new LinkedHashMap<>();
        for (String line : response.body().split("\n")) {
            String[] kv = line.split("=", 2);
            stats.put(kv[0], Long.parseLong(kv[1].trim()));
        }
        return stats;
    }

    // ---------------------------------------------------------------- sessions

    private void createSessions(Node node) throws Exception {
        long start = System.nanoTime();
        List<Future<String>> created = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            created.add(pool.submit(() -> {
                HttpResponse<String> response = get(node, "/counter", null);
                Optional<String> setCookie = response.headers().firstValue("Set-Cookie");
                if (response.statusCode() != 200 || !response.body().equals("1") || setCookie.isEmpty()) {
                    throw new IOException(node.mode + ": /counter without a cookie answered "
                            + response.statusCode() + " '" + response.body() + "' cookie " + setCookie);
                }
                return setCookie.get().split(";", 2)[0].trim();
            }));
        }
        List<String> cookies = new ArrayList<>();
        for (Future<String> f : created) {
            cookies.add(f.get());
        }
        node.creationSeconds = (System.nanoTime() - start) / 1e9;
        node.cookies = WORK.resolve(node.mode.replaceAll("[^A-Za-z0-9._-]", "_") + ".cookies");
        Files.write(node.cookies, cookies);
        long sum = counterSum(node);
        if (sum != SESSIONS) {
            throw new IllegalStateException(node.mode + ": " + SESSIONS + " sessions created, counters sum to " + sum);
        }
        log(String.format(Locale.ROOT, "%s: %d sessions created in %.1f s", node.mode, SESSIONS,
                node.creationSeconds));
    }

    /** The sum of every session's counter, read through {@code /read} (which changes nothing). */
    private long counterSum(Node node) throws Exception {
        List<Future<Long>> counts = new ArrayList<>();
        for (String cookie : Files.readAllLines(node.cookies)) {
            counts.add(pool.submit(() -> {
                // an overloaded machine can make memcached miss opTimeoutMillis: in lock mode a lock whose
                // release timed out stays held until lockTtlSeconds (60 s by default), and reads of that
                // session answer 503 until then. Retry for up to 75 s rather than give up the run.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(75);
                while (true) {
                    HttpResponse<String> response = get(node, "/read", cookie);
                    if (response.statusCode() == 200) {
                        return Long.parseLong(response.body().split(" ", 2)[0]);
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IOException(node.mode + ": /read answered " + response.statusCode());
                    }
                    log(node.mode + ": read-back answered " + response.statusCode() + ", retrying in 1 s");
                    Thread.sleep(1000);
                }
            }));
        }
        long sum = 0;
        for (Future<Long> f : counts) {
            sum += f.get();
        }
        return sum;
    }

    // ---------------------------------------------------------------- warm-up and measurement

    /**
     * Alternates /counter and /read in slices until the last {@link #STABLE_SLICES} slices are within
     * {@link #STABLE_TOLERANCE} of their mean (and at least {@link #WARMUP_MIN} s passed), or
     * {@link #WARMUP_MAX} s passed.
     */
    private void warmUp(Node node) throws Exception {
        double elapsed = 0;
        while (elapsed < WARMUP_MAX) {
            Wrk.Result r = wrk.run(node.port, "mix", node.cookies, WARMUP_SLICE);
            elapsed += r.seconds();
            node.warmup.add(new double[] {elapsed, r.requestsPerSecond()});
            int n = node.warmup.size();
            if (n >= STABLE_SLICES) {
                double[] window = node.warmup.subList(n - STABLE_SLICES, n).stream().mapToDouble(s -> s[1]).toArray();
                double mean = Arrays.stream(window).average().orElse(0);
                double spread = (Arrays.stream(window).max().orElse(0) - Arrays.stream(window).min().orElse(0)) / mean;
                if (spread <= STABLE_TOLERANCE && elapsed >= WARMUP_MIN && !node.flat) {
                    node.flat = true;
                    node.flatAfterSeconds = node.warmup.get(n - STABLE_SLICES)[0];
                    node.steadyRps = mean;
                    break;
                }
            }
        }
        if (!node.flat) {
            int n = node.warmup.size();
            node.steadyRps = node.warmup.subList(Math.max(0, n - STABLE_SLICES), n).stream().mapToDouble(s -> s[1])
                    .average().orElse(Double.NaN);
        }
        for (double[] slice : node.warmup) {
            if (slice[1] >= 0.9 * node.steadyRps) {
                node.to90Seconds = slice[0];
                break;
            }
        }
        StringBuilder series = new StringBuilder();
        node.warmup.forEach(s -> series.append(String.format(Locale.ROOT, " %.0f", s[1])));
        log(String.format(Locale.ROOT, "%s: warm-up %s after %.0f s; 90 %% of steady (%.0f req/s) at %.0f s;"
                + " slices:%s", node.mode, node.flat ? "flat" : "NOT flat", node.warmup.get(node.warmup.size() - 1)[0],
                node.steadyRps, node.to90Seconds, series));
    }

    private Run measure(Node node, String endpoint, int round) throws Exception {
        // is the machine quiet? (our servers are idle now; wrk is not running)
        long[] idle0 = Proc.machineTicks();
        Thread.sleep(1000);
        long[] idle1 = Proc.machineTicks();
        double idleBusy = 100.0 * (idle1[0] - idle0[0]) / Math.max(1, idle1[1] - idle0[1]);
        String load = Proc.loadAverage();

        boolean counter = endpoint.equals("/counter");
        long sumBefore = counter ? counterSum(node) : 0;
        Map<String, Long> statsBefore = serverStats(node, false);
        Map<String, String> mcBefore = memcached.stats();
        long serverBefore = Proc.processTicks(node.process.pid(), false);
        long mcTicksBefore = Proc.processTicks(memcached.pid(), false);
        long dbTicksBefore = databaseTicks();
        long selfBefore = Proc.processTicks(ProcessHandle.current().pid(), true);
        long[] machineBefore = Proc.machineTicks();

        Wrk.Result result = wrk.run(node.port, endpoint, node.cookies, MEASURE);

        long[] machineAfter = Proc.machineTicks();
        long serverTicks = Proc.processTicks(node.process.pid(), false) - serverBefore;
        long mcTicks = Proc.processTicks(memcached.pid(), false) - mcTicksBefore;
        long dbTicks = databaseTicks() - dbTicksBefore;
        long selfTicks = Proc.processTicks(ProcessHandle.current().pid(), true) - selfBefore;
        Map<String, String> mcAfter = memcached.stats();
        Map<String, Long> statsAfter = serverStats(node, false);
        long acknowledged = 0;
        long applied = 0;
        if (counter) {
            // requests cut off when wrk stopped may still be finishing: wait until the count stands still
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            long previous = -1;
            while (System.nanoTime() < deadline && previous != statsAfter.get("acknowledged")) {
                previous = statsAfter.get("acknowledged");
                Thread.sleep(200);
                statsAfter = serverStats(node, false);
            }
            acknowledged = statsAfter.get("acknowledged") - statsBefore.get("acknowledged");
            applied = counterSum(node) - sumBefore;
        }
        Map<String, Long> mc = new LinkedHashMap<>();
        for (String name : MEMCACHED_OPS) {
            mc.put(name, Long.parseLong(mcAfter.getOrDefault(name, "0")) - Long.parseLong(mcBefore.getOrDefault(name,
                    "0")));
        }
        long machineBusy = machineAfter[0] - machineBefore[0];
        long machineTotal = Math.max(1, machineAfter[1] - machineBefore[1]);
        double other = 100.0 * Math.max(0, machineBusy - serverTicks - mcTicks - selfTicks - dbTicks) / machineTotal;
        double steal = 100.0 * (machineAfter[2] - machineBefore[2]) / machineTotal;
        Run run = new Run(node.mode, endpoint, round, result, serverTicks, mcTicks, selfTicks, dbTicks,
                statsAfter.get("allocatedBytes") - statsBefore.get("allocatedBytes"), mc,
                statsAfter.get("dbStatements") - statsBefore.get("dbStatements"), acknowledged, applied,
                idleBusy, other, steal, load);
        log(String.format(Locale.ROOT, "round %d %-18s %-8s %7.0f req/s p50 %.2f ms p99 %.2f ms errors %d"
                + " cpu %.0f us/req%s%s", round, node.mode, endpoint, result.requestsPerSecond(), result.p50Millis(),
                result.p99Millis(), result.errors(), run.perRequest(serverTicks) * Proc.MICROS_PER_TICK,
                counter ? " lost " + (acknowledged - applied) : "",
                run.disturbed() ? String.format(Locale.ROOT, " DISTURBED (others %.0f %%, idle busy %.0f %%)", other,
                        idleBusy) : ""));
        return run;
    }

    /** A JFR recording of each of {@link #PROFILE_ENDPOINTS} (by default /read and /counter) on this mode, after the measured rounds; summarised. */
    private void profile(Node node) throws Exception {
        for (String endpoint : PROFILE_ENDPOINTS) {
            Path file = WORK.resolve(node.mode + endpoint.replace('/', '-') + ".jfr").toAbsolutePath();
            String name = "bench" + endpoint.replace('/', '-');
            jcmd(node, "JFR.start", "name=" + name, "settings=profile");
            wrk.run(node.port, endpoint, node.cookies, PROFILE_SECONDS);
            jcmd(node, "JFR.stop", "name=" + name, "filename=" + file);
            String title = "`" + node.mode + "` `" + endpoint + "` (" + PROFILE_SECONDS + " s, JFR `profile` settings)";
            profiles.put(node.mode + " " + endpoint, JfrSummary.summarize(file, title));
            log("profiled " + node.mode + " " + endpoint + " into " + file);
        }
    }

    private void jcmd(Node node, String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(node.process.pid())));
        line.addAll(List.of(command));
        Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("jcmd " + line + " failed: " + out);
        }
    }

    // ---------------------------------------------------------------- report

    private String report(double minutes) throws Exception {
        StringBuilder md = new StringBuilder();
        md.append("# Speed benchmark\n\n");
        md.append("Written by `io.memsession.benchmark.SpeedBenchmark` (the `benchmark/` module); do not edit by"
                + " hand, run it again:\n\n```\n").append(command()).append("\n```\n\n");
        md.append("- Date: ").append(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)).append('\n');
        md.append("- Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores (")
                .append(cpuModel()).append("), ").append(System.getProperty("os.name")).append(' ')
                .append(System.getProperty("os.arch")).append("; load average at the end: ").append(Proc.loadAverage())
                .append('\n');
        md.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.vm.version")).append("; servers with `-Xmx").append(SERVER_HEAP)
                .append(" -XX:+UseG1GC`, one JVM per mode\n");
        md.append("- ").append(memcached == null ? "memcached" : versionOf("memcached", "-V")).append(" (`-m 256 -U 0`,"
                + " loopback), Jetty ").append(org.eclipse.jetty.util.Jetty.VERSION)
                .append(" (ee10), jetty-memcached-sessions ").append(jarVersion()).append(", ")
                .append(versionOf("wrk", "-v")).append('\n');
        md.append(String.format(Locale.ROOT, "- %d sessions per mode; wrk with %d threads and %d connections, each"
                + " request carrying the next session's cookie (rotating through all %d); %d round(s) of %d s per"
                + " mode and endpoint, modes rotated between rounds; warm-up in %d s slices of /counter and /read"
                + " alternately, until the last %d slices spread by at most %.0f %% of their mean and at least %d s passed (at most %d s).%s"
                + " Whole run: %.1f minutes.\n\n", SESSIONS, WRK_THREADS, CONNECTIONS, SESSIONS, ROUNDS, MEASURE,
                WARMUP_SLICE, STABLE_SLICES, 100 * STABLE_TOLERANCE, WARMUP_MIN, WARMUP_MAX,
                QUICK ? " **Quick mode**: short warm-up and runs, for trying the harness; the figures are rough." : "",
                minutes));

        md.append("## Results (median of rounds)\n\n");
        md.append("| mode | endpoint | req/s (min) | × in-memory | p50 ms | p99 ms | errors | lost updates |"
                + " memcached ops/req | memcached bytes/req | server CPU µs/req | allocated KB/req |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Node node : nodes) {
            for (String endpoint : ENDPOINTS) {
                List<Run> rs = runs.stream().filter(r -> r.mode.equals(node.mode) && r.endpoint.equals(endpoint)).toList();
                if (rs.isEmpty()) {
                    continue;
                }
                double rps = median(rs.stream().mapToDouble(r -> r.wrk.requestsPerSecond()));
                double min = rs.stream().mapToDouble(r -> r.wrk.requestsPerSecond()).min().orElse(Double.NaN);
                double reference = referenceRps(endpoint);
                long errors = rs.stream().mapToLong(r -> r.wrk.errors()).sum();
                String lost = endpoint.equals("/counter")
                        ? Long.toString(rs.stream().mapToLong(r -> r.acknowledged - r.applied).sum()) : "–";
                md.append(String.format(Locale.ROOT, "| `%s` | `%s` | %.0f (%.0f) | %.2f | %.2f | %.2f | %d | %s |"
                        + " %.2f | %.0f | %.0f | %.1f |\n", node.mode, endpoint, rps, min, rps / reference,
                        median(rs.stream().mapToDouble(r -> r.wrk.p50Millis())),
                        median(rs.stream().mapToDouble(r -> r.wrk.p99Millis())), errors, lost,
                        median(rs.stream().mapToDouble(SpeedBenchmark::memcachedOps)),
                        median(rs.stream().mapToDouble(r -> r.perRequest(r.memcached.get("bytes_read")
                                + r.memcached.get("bytes_written")))),
                        median(rs.stream().mapToDouble(r -> r.perRequest(r.serverTicks) * Proc.MICROS_PER_TICK)),
                        median(rs.stream().mapToDouble(r -> r.perRequest(r.allocatedBytes) / 1024.0))));
            }
        }
        md.append("\n- *× in-memory*: median req/s over the median req/s of `jetty-memory` on the same endpoint, same"
                + " run.\n- *errors*: non-2xx answers and socket errors (a `/read` of a lost session answers 410)."
                + "\n- *lost updates*: increments the server acknowledged (a `/counter` request whose filter chain"
                + " ended below 400, counted in the server, so requests still in flight when wrk stopped are"
                + " included) minus the increase of the sum of all counters (read back through `/read`).\n"
                + "- *memcached ops*: `cmd_get` (counts keys) + `cmd_set` (set, add, replace, cas) + `cmd_touch` +"
                + " deletes + incr/decr, from `stats` before and after; *bytes*: `bytes_read + bytes_written` of"
                + " memcached.\n- *server CPU*: utime + stime of the server's JVM from `/proc/<pid>/stat` (10 ms"
                + " ticks) over the requests; *allocated*: the server's live threads' allocated bytes"
                + " (`ThreadMXBean.getThreadAllocatedBytes`; Jetty's pool is fixed-size).\n\n");

        md.append("## Start-up, warm-up and heap per mode\n\n");
        md.append("| mode | 1,000 sessions created in | flat after | 90 % of steady speed after | steady req/s"
                + " (mix) | heap after GC: start, after the rounds, after " + HEAP_PROBE_SESSIONS
                + " more sessions | heap per extra session |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (Node node : nodes) {
            md.append(String.format(Locale.ROOT, "| `%s` | %.1f s | %s | %.0f s | %.0f | %.1f, %.1f, %.1f MB | %.0f B |\n",
                    node.mode, node.creationSeconds, node.flat ? String.format(Locale.ROOT, "%.0f s",
                            node.flatAfterSeconds) : "not flat in " + WARMUP_MAX + " s", node.to90Seconds,
                    node.steadyRps, node.heapBaseline / 1e6, node.heapEnd / 1e6, node.heapAfterProbe / 1e6,
                    (double) (node.heapAfterProbe - node.heapEnd) / HEAP_PROBE_SESSIONS));
        }
        md.append("\nWarm-up slices (req/s of the /counter + /read mix, in order):\n\n");
        for (Node node : nodes) {
            StringBuilder s = new StringBuilder();
            node.warmup.forEach(w -> s.append(String.format(Locale.ROOT, " %.0f", w[1])));
            md.append("- `").append(node.mode).append("`:").append(s).append('\n');
        }
        md.append("\n*Time to steady state* counts from the first request after the 1,000 sessions were created"
                + " (creation, itself load, comes before). *Heap per extra session*: after the rounds, heap in use"
                + " after a full GC (`System.gc()` in the server), then " + HEAP_PROBE_SESSIONS + " new sessions"
                + " created (each a `/counter` without cookie: a new session with its profile), and the heap after a"
                + " full GC again; the difference over the new sessions is what the node keeps per session once"
                + " its requests ended (buffer pools and caches make a few hundred bytes of noise either way).\n\n");

        md.append("## memcached operations per request (median)\n\n");
        md.append("| mode | endpoint | get keys | get hits | sets (incl. cas, add) | cas | touch | deletes | bytes in |"
                + " bytes out | memcached CPU µs/req | wrk CPU µs/req | database statements/req | database CPU µs/req |"
                + "\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Node node : nodes) {
            for (String endpoint : ENDPOINTS) {
                List<Run> rs = runs.stream().filter(r -> r.mode.equals(node.mode) && r.endpoint.equals(endpoint)).toList();
                if (rs.isEmpty()) {
                    continue;
                }
                md.append(String.format(Locale.ROOT, "| `%s` | `%s` | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f |"
                        + " %.0f | %.0f | %.0f | %.3f | %.0f |\n", node.mode, endpoint, perReq(rs, "cmd_get"),
                        perReq(rs, "get_hits"),
                        perReq(rs, "cmd_set"), perReq(rs, "cas_hits", "cas_misses", "cas_badval"),
                        perReq(rs, "cmd_touch"), perReq(rs, "delete_hits", "delete_misses"),
                        perReq(rs, "bytes_read"), perReq(rs, "bytes_written"),
                        median(rs.stream().mapToDouble(r -> r.perRequest(r.memcachedTicks) * Proc.MICROS_PER_TICK)),
                        median(rs.stream().mapToDouble(r -> r.perRequest(r.wrkTicks) * Proc.MICROS_PER_TICK)),
                        median(rs.stream().mapToDouble(r -> r.perRequest(r.dbStatements))),
                        median(rs.stream().mapToDouble(r -> r.perRequest(r.databaseTicks) * Proc.MICROS_PER_TICK))));
            }
        }
        md.append("\n*Database statements* are the durable tier's own count (`TierStatistics.databaseStatements`,"
                + " including its background read of the cache epoch once a second); *database CPU* is the"
                + " PostgreSQL processes' utime + stime. Modes ending in `+db` run the durable tier on a"
                + " PostgreSQL server the harness starts in a temporary directory.\n");

        md.append("\n## Every run, and load from elsewhere\n\n");
        md.append("| round | mode | endpoint | req/s | p50 ms | p99 ms | errors | machine busy before (idle check) |"
                + " other processes' CPU during | steal | load average before | |\n");
        md.append("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        long disturbed = 0;
        for (Run r : runs) {
            disturbed += r.disturbed() ? 1 : 0;
            md.append(String.format(Locale.ROOT, "| %d | `%s` | `%s` | %.0f | %.2f | %.2f | %d | %.0f %% | %.0f %% |"
                    + " %.1f %% | %s | %s |\n", r.round, r.mode, r.endpoint, r.wrk.requestsPerSecond(), r.wrk.p50Millis(),
                    r.wrk.p99Millis(), r.wrk.errors(), r.idleBusyPercent, r.otherPercent, r.stealPercent,
                    r.loadAverage, r.disturbed() ? "**disturbed**" : ""));
        }
        md.append(String.format(Locale.ROOT, "\n%d of %d runs flagged **disturbed**: other processes (not this"
                + " benchmark's server, memcached or wrk) used more than %.0f %% of the machine's CPU during the run,"
                + " or the machine was more than %.0f %% busy in the idle second before it. Percentages are of the"
                + " whole machine (all cores).\n", disturbed, runs.size(), DISTURBED_PERCENT, DISTURBED_PERCENT * 1.5));

        if (!profiles.isEmpty()) {
            md.append("\n## Profiles\n\nJFR `jdk.ExecutionSample` events, recorded after the measured rounds while"
                    + " wrk drove one endpoint; top frames grouped by library.\n\n");
            profiles.values().forEach(md::append);
        }
        return md.toString();
    }

    private double referenceRps(String endpoint) {
        return median(runs.stream().filter(r -> r.mode.equals("jetty-memory") && r.endpoint.equals(endpoint))
                .mapToDouble(r -> r.wrk.requestsPerSecond()));
    }

    private static double memcachedOps(Run r) {
        Map<String, Long> m = r.memcached;
        return r.perRequest(m.get("cmd_get") + m.get("cmd_set") + m.get("cmd_touch") + m.get("delete_hits")
                + m.get("delete_misses") + m.get("incr_hits") + m.get("decr_hits"));
    }

    private static double perReq(List<Run> rs, String... names) {
        return median(rs.stream().mapToDouble(r -> r.perRequest(Arrays.stream(names).mapToLong(r.memcached::get).sum())));
    }

    private static double median(java.util.stream.DoubleStream values) {
        double[] v = values.sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String command() {
        StringBuilder command = new StringBuilder("./scripts/bench-speed.sh");
        if (!BASELINE_JAR.isEmpty()) {
            command.insert(0, "# -Dbench.baselineJar: memsession built from another commit, for the @baseline modes\n");
        }
        new java.util.TreeMap<>(System.getProperties()).forEach((name, value) -> {
            String n = name.toString();
            if (n.startsWith("bench.") && !n.equals("bench.output") && !n.equals("bench.work") && !n.equals("bench.lua")) {
                command.append(" -D").append(n).append('=').append(value);
            }
        });
        return command.toString();
    }

    private static String versionOf(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            String first = out.split("\n", 2)[0];
            return first.replaceAll("\\s*\\[.*", "").replaceAll("Copyright.*", "").trim();
        } catch (IOException e) {
            return command[0] + " (version unknown: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return command[0];
        }
    }

    private static String jarVersion() {
        Package p = org.eclipse.jetty.memcached.session.MemcachedSessionDataMap.class.getPackage();
        String cp = System.getProperty("java.class.path");
        Matcher m = Pattern.compile("jetty-memcached-sessions-([^/:]+)\\.jar").matcher(cp);
        return m.find() ? m.group(1) : String.valueOf(p.getImplementationVersion());
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim().replaceAll("\\s+", " ");
                }
            }
        } catch (IOException e) {
            return "unknown CPU";
        }
        return "unknown CPU";
    }

    private static void log(String message) {
        System.out.println("[bench-speed] " + message);
        System.out.flush();
    }
}
