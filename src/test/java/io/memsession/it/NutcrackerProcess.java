package io.memsession.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Test fixture: a real twemproxy ({@code /usr/sbin/nutcracker}, Debian package {@code nutcracker}) child
 * process in front of memcached servers, with its own YAML configuration in a temporary directory,
 * listening on a free loopback port (its stats port too: nutcracker's default binds 0.0.0.0).
 *
 * <p>The pool hashes keys with {@code fnv1a_64} onto a {@code ketama} ring of named servers, and ejects a
 * server after one failure for {@value #RETRY_MILLIS} ms, so that the keys of a dead server go to the
 * others instead of failing (what a session layer wants: a new session beats an error page). Stopped
 * through its own {@link Process} handle (by pid), never by name.
 */
final class NutcrackerProcess implements AutoCloseable {

    static final String BINARY = "/usr/sbin/nutcracker";
    static final int RETRY_MILLIS = 30_000;
    private static final Duration START_DEADLINE = Duration.ofSeconds(10);

    private final Path dir;
    private final int port;
    private final Process process;

    private NutcrackerProcess(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** Starts nutcracker in front of {@code servers} and waits until it answers {@code version}. */
    static NutcrackerProcess start(List<MemcachedProcess> servers) {
        try {
            Path dir = Files.createTempDirectory("nutcracker-it-");
            int port = MemcachedProcess.freeLoopbackPort();
            int statsPort = MemcachedProcess.freeLoopbackPort();
            StringBuilder yaml = new StringBuilder()
                    .append("sessions:\n")
                    .append("  listen: 127.0.0.1:").append(port).append('\n')
                    .append("  hash: fnv1a_64\n")
                    .append("  distribution: ketama\n")
                    .append("  timeout: 2000\n")
                    .append("  auto_eject_hosts: true\n")
                    .append("  server_failure_limit: 1\n")
                    .append("  server_retry_timeout: ").append(RETRY_MILLIS).append('\n')
                    .append("  servers:\n");
            for (int i = 0; i < servers.size(); i++) {
                // named: the ring hashes the names, so a server keeps its keys if its port changes
                yaml.append("   - ").append(servers.get(i).address()).append(":1 mc").append(i).append('\n');
            }
            Path config = Files.writeString(dir.resolve("nutcracker.yml"), yaml);
            Process process = new ProcessBuilder(BINARY, "-c", config.toString(), "-a", "127.0.0.1",
                    "-s", Integer.toString(statsPort), "-o", dir.resolve("nutcracker.log").toString(),
                    "-p", dir.resolve("nutcracker.pid").toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile()))
                    .start();
            NutcrackerProcess proxy = new NutcrackerProcess(dir, port, process);
            proxy.awaitAnswer();
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitAnswer() {
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String log = log();
                close();
                throw new IllegalStateException("nutcracker exited with " + process.exitValue() + ": " + log);
            }
            try {
                if (send("version\r\n").startsWith("VERSION")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet: poll again
            }
            MemcachedProcess.pause(20);
        }
        String log = log();
        close();
        throw new IllegalStateException("nutcracker did not answer on 127.0.0.1:" + port + ": " + log);
    }

    /**
     * Sends raw text-protocol requests through the proxy and half-closes the connection; returns every
     * reply up to the proxy's end of the connection (it answers what it was sent, then closes).
     */
    String send(String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            socket.setSoTimeout(2000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /** "127.0.0.1:port", the value for the filter's {@code servers} init-param. */
    String address() {
        return "127.0.0.1:" + port;
    }

    String log() {
        try {
            Path log = dir.resolve("nutcracker.log");
            return Files.exists(log) ? Files.readString(log) : "(no log)";
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** SIGTERM to this process's pid, SIGKILL if it lingers; then removes its directory. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
