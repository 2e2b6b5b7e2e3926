package io.memsession.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The demo cluster exactly as a person starts it: {@code scripts/demo.sh --no-build} (memcached, the H2
 * server of the durable tier, two Jetty nodes with the built WAR, nginx round-robin in front), on free loopback ports so that it never meets a
 * demo that is already running. Stopped the way Ctrl-C stops it: a signal to the script, which stops what
 * it started by pid.
 */
final class DemoCluster implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(150);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final String READY = "memsession demo is running";

    private final Process script;
    private final Path output;
    private final URI url;
    private final int memcachedPort;

    private DemoCluster(Process script, Path output, URI url, int memcachedPort) {
        this.script = script;
        this.output = output;
        this.url = url;
        this.memcachedPort = memcachedPort;
    }

    /** Starts the cluster with {@code script} and returns once the script says it is up. */
    static DemoCluster start(Path script, Path runDir) throws IOException, InterruptedException {
        Files.createDirectories(runDir);
        int[] ports = freePorts(5);
        Path output = runDir.resolve("demo.sh.out");
        ProcessBuilder builder = new ProcessBuilder("bash", script.toString(), "--no-build")
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().put("MEMSESSION_DEMO_PORT", Integer.toString(ports[0]));
        builder.environment().put("MEMSESSION_DEMO_PORT_A", Integer.toString(ports[1]));
        builder.environment().put("MEMSESSION_DEMO_PORT_B", Integer.toString(ports[2]));
        builder.environment().put("MEMSESSION_DEMO_MEMCACHED_PORT", Integer.toString(ports[3]));
        builder.environment().put("MEMSESSION_DEMO_H2_PORT", Integer.toString(ports[4]));
        builder.environment().put("MEMSESSION_DEMO_RUN_DIR", runDir.toString());
        DemoCluster cluster = new DemoCluster(builder.start(), output,
                URI.create("http://127.0.0.1:" + ports[0] + "/"), ports[3]);
        try {
            cluster.awaitReady();
        } catch (RuntimeException | Error | InterruptedException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** The balanced URL: the one a person opens. */
    URI url() {
        return url;
    }

    /** The loopback port of the cluster's memcached. */
    int memcachedPort() {
        return memcachedPort;
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Files.readString(output, StandardCharsets.UTF_8).contains(READY)) {
            if (!script.isAlive()) {
                throw new IllegalStateException("scripts/demo.sh exited with " + script.exitValue()
                        + " before the cluster was up:\n" + tail());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the demo cluster was not up within " + START_TIMEOUT + ":\n"
                        + tail());
            }
            // waiting on a process that reports through a file: nothing to block on
            script.waitFor(200, TimeUnit.MILLISECONDS);
        }
    }

    /** The script's last lines, for failure messages. */
    String tail() throws IOException {
        List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /**
     * Stops the cluster: SIGTERM to the script, which stops nginx, the nodes and memcached by pid. Fails
     * if the script does not end, or if anything it started outlives it (then stopped here, by pid).
     */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> started = script.descendants().toList();
        script.destroy();
        boolean stopped = script.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        List<ProcessHandle> survivors = started.stream().filter(p -> !exits(p, Duration.ofSeconds(5))).toList();
        survivors.forEach(ProcessHandle::destroyForcibly);
        if (!stopped) {
            script.destroyForcibly();
            script.waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("scripts/demo.sh did not stop within " + STOP_TIMEOUT + " of SIGTERM");
        }
        if (!survivors.isEmpty()) {
            throw new IllegalStateException("scripts/demo.sh left processes running after SIGTERM: "
                    + survivors.stream().map(p -> p.pid() + " " + p.info().command().orElse("?")).toList());
        }
    }

    private static boolean exits(ProcessHandle process, Duration within) {
        try {
            process.onExit().get(within.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot watch process " + process.pid(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int[] freePorts(int count) throws IOException {
        ServerSocket[] sockets = new ServerSocket[count];
        int[] ports = new int[count];
        try {
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
        return ports;
    }
}
