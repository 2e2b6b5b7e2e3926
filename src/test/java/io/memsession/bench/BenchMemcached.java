package io.memsession.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A memcached process of the benchmark's own, on a free loopback port, stopped by its pid; and its
 * {@code stats} read over a raw text-protocol socket.
 */
final class BenchMemcached implements AutoCloseable {

    private static final String BINARY = System.getProperty("bench.memcached", "memcached");

    private final Process process;
    private final int port;

    private BenchMemcached(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts memcached with 256 MB, UDP off, on a free 127.0.0.1 port; waits until it answers. */
    static BenchMemcached start(Path log) throws IOException, InterruptedException {
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = freePort();
            List<String> command = new ArrayList<>(List.of(BINARY, "-l", "127.0.0.1", "-p", Integer.toString(port),
                    "-U", "0", "-m", "256"));
            if ("root".equals(System.getProperty("user.name"))) {
                command.add("-u");
                command.add("root");
            }
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            BenchMemcached server = new BenchMemcached(process, port);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline && process.isAlive()) {
                try {
                    server.stats();
                    return server;
                } catch (IOException e) {
                    last = e;
                    Thread.sleep(50);
                }
            }
            server.close(); // port taken meanwhile, or it never came up: try another port
        }
        throw new IOException("memcached did not start (see " + log + ")", last);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** The {@code stats} of the server, name to value, in the order memcached sends them. */
    Map<String, String> stats() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write("stats\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(
                    new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            Map<String, String> stats = new LinkedHashMap<>();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.equals("END")) {
                    return stats;
                }
                String[] parts = line.split(" ", 3);
                if (parts.length == 3 && parts[0].equals("STAT")) {
                    stats.put(parts[1], parts[2]);
                } else {
                    throw new IOException("unexpected stats line: " + line);
                }
            }
            throw new IOException("stats ended without END");
        }
    }

    /** Stops the process it started (by its pid): SIGTERM, then SIGKILL after 5 s. */
    @Override
    public void close() throws InterruptedException {
        ProcessHandle handle = process.toHandle();
        if (handle.isAlive()) {
            handle.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                handle.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
