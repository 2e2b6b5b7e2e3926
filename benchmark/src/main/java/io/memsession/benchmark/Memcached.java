package io.memsession.benchmark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A fresh memcached of the benchmark's own on a free loopback port, stopped by its pid; its {@code stats}. */
final class Memcached implements AutoCloseable {

    private final Process process;
    private final int port;

    private Memcached(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static Memcached start(Path log) throws IOException, InterruptedException {
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = freePort();
            List<String> command = List.of("memcached", "-l", "127.0.0.1", "-p", Integer.toString(port), "-U", "0",
                    "-m", "256", "-u", System.getProperty("user.name"));
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            Memcached server = new Memcached(process, port);
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
            server.close();
        }
        throw new IOException("memcached did not start (see " + log + ")", last);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
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

    Map<String, String> stats() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write("stats\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            Map<String, String> stats = new LinkedHashMap<>();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.equals("END")) {
                    return stats;
                }
                String[] parts = line.split(" ", 3);
                if (parts.length != 3 || !parts[0].equals("STAT")) {
                    throw new IOException("unexpected stats line: " + line);
                }
                stats.put(parts[1], parts[2]);
            }
            throw new IOException("stats ended without END");
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
