package io.memsession.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Test fixture: a real memcached child process bound to the loopback interface on a free port, plus a
 * tiny raw-socket text-protocol client for assertions (stats, get, set) that bypasses the code under test.
 *
 * <p>Only 127.0.0.1 is ever used. The process is always stopped through its own {@link Process} handle
 * (by pid), never by name.
 */
public final class MemcachedProcess implements AutoCloseable {

    private static final String BINARY = "/usr/bin/memcached";
    private static final String SASLPASSWD = "/usr/sbin/saslpasswd2";
    private static final Duration START_DEADLINE = Duration.ofSeconds(10);
    private static final int SOCKET_TIMEOUT_MILLIS = 2000;

    /** A stored item as read back with {@code gets}. */
    record Item(int flags, byte[] data, long cas) {
        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    private final int port;
    private final Path log;
    /** With SASL: the directory of memcached.conf and the sasldb (SASL_CONF_PATH); else null. */
    private final Path saslDir;
    private Process process;

    private MemcachedProcess(int port, Path saslDir) throws IOException {
        this.port = port;
        this.saslDir = saslDir;
        this.log = Files.createTempFile("memcached-it-" + port + "-", ".log");
    }

    /** Starts memcached on a free loopback port and waits until it answers {@code version}. */
    public static MemcachedProcess start() {
        try {
            MemcachedProcess m = new MemcachedProcess(freeLoopbackPort(), null);
            m.launch();
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts memcached with SASL ({@code -S}, binary protocol only) on a free loopback port, accepting
     * {@code user} with {@code password} by PLAIN from a sasldb of its own (made with Debian's
     * {@code saslpasswd2}, package sasl2-bin), and waits until it answers a binary {@code version}.
     */
    public static MemcachedProcess startWithSasl(String user, String password) {
        try {
            Path dir = Files.createTempDirectory("memcached-sasl-");
            Path sasldb = dir.resolve("sasldb2");
            Files.writeString(dir.resolve("memcached.conf"), "mech_list: plain\nsasldb_path: " + sasldb + "\n");
            Process passwd = new ProcessBuilder(SASLPASSWD, "-a", "memcached", "-c", "-p", "-f", sasldb.toString(),
                    user).redirectErrorStream(true).start();
            passwd.getOutputStream().write(password.getBytes(StandardCharsets.UTF_8));
            passwd.getOutputStream().close();
            String output = new String(passwd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!passwd.waitFor(10, TimeUnit.SECONDS) || passwd.exitValue() != 0) {
                throw new IllegalStateException(SASLPASSWD + " failed (Debian package sasl2-bin): " + output);
            }
            MemcachedProcess m = new MemcachedProcess(freeLoopbackPort(), dir);
            m.launch();
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static int freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    private void launch() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(BINARY, "-l", "127.0.0.1", "-p", Integer.toString(port),
                "-U", "0", "-m", "64"));
        if ("root".equals(System.getProperty("user.name"))) {
            // memcached refuses to run as root without naming the user to run as
            cmd.add("-u");
            cmd.add("root");
        }
        if (saslDir != null) {
            cmd.add("-S");
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (saslDir != null) {
            pb.environment().put("SASL_CONF_PATH", saslDir.toString());
        }
        process = pb.start();
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("memcached exited with " + process.exitValue() + " on port " + port
                        + ": " + logText());
            }
            try {
                if (saslDir != null ? binaryVersionAnswers() : version().startsWith("VERSION")) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            pause(20);
        }
        process.destroyForcibly();
        throw new IllegalStateException("memcached did not answer on 127.0.0.1:" + port + " within " + START_DEADLINE
                + ": " + logText(), last);
    }

    private String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** "127.0.0.1:port", the value for the filter's {@code servers} init-param. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Graceful stop of this process (SIGTERM to its pid), then waits for it to exit. */
    void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        awaitExit();
    }

    /** SIGKILL to this process's pid, then waits for it to exit. */
    void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        awaitExit();
    }

    private void awaitExit() {
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /**
     * SIGSTOP to this process's pid (an outage where memcached still holds its connections open but answers
     * nothing); returns once the kernel reports it stopped. Close the returned handle, always in a
     * {@code finally} or try-with-resources, to send SIGCONT.
     */
    Suspension suspend() {
        signal("STOP");
        awaitState(true, "stopped after SIGSTOP");
        return this::resume;
    }

    /** SIGCONT to this process's pid; returns once it runs again and answers {@code version}. */
    void resume() {
        signal("CONT");
        awaitState(false, "running after SIGCONT");
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        while (true) {
            try {
                if (version().startsWith("VERSION")) {
                    return;
                }
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new UncheckedIOException("memcached does not answer after SIGCONT", e);
                }
            }
            pause(20);
        }
    }

    /** Whether the kernel reports this process stopped (state T), as after {@link #suspend()}. */
    boolean isSuspended() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            // "pid (comm) S ...": the state follows the last ')' since comm may contain anything
            String afterComm = stat.substring(stat.lastIndexOf(')') + 1).trim();
            return afterComm.charAt(0) == 'T';
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The handle {@link #suspend()} returns: closing it resumes memcached. */
    @FunctionalInterface
    interface Suspension extends AutoCloseable {
        @Override
        void close();
    }

    private void signal(String name) {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException("memcached is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitState(boolean stopped, String what) {
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        while (isSuspended() != stopped) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("memcached (pid " + process.pid() + ") not " + what);
            }
            pause(5);
        }
    }

    /** Stops (if running) and starts again on the same port; the cache comes back empty. */
    void restart() {
        if (isAlive()) {
            stop();
        }
        try {
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        stop();
        try {
            Files.deleteIfExists(log);
            if (saslDir != null) {
                Files.deleteIfExists(saslDir.resolve("memcached.conf"));
                Files.deleteIfExists(saslDir.resolve("sasldb2"));
                Files.deleteIfExists(saslDir);
            }
        } catch (IOException ignored) {
            // a temp file left behind is harmless
        }
    }

    /**
     * A binary-protocol {@code version} (opcode 0x0b, which memcached answers before authentication):
     * whether a response header came back.
     */
    private boolean binaryVersionAnswers() throws IOException {
        try (Conn c = new Conn()) {
            byte[] request = new byte[24];
            request[0] = (byte) 0x80;
            request[1] = 0x0b;
            c.send(request);
            byte[] header = c.bytes(24);
            return header[0] == (byte) 0x81 && header[1] == 0x0b && header[6] == 0 && header[7] == 0;
        }
    }

    // ---------------------------------------------------------------- raw client

    String version() throws IOException {
        try (Conn c = new Conn()) {
            c.send("version\r\n");
            return c.line();
        }
    }

    /** All numeric {@code stats} values (cmd_get, get_hits, get_misses, cmd_set, cmd_touch, curr_items, ...). */
    Map<String, Long> stats() {
        try (Conn c = new Conn()) {
            c.send("stats\r\n");
            Map<String, Long> out = new LinkedHashMap<>();
            while (true) {
                String line = c.line();
                if (line.equals("END")) {
                    return out;
                }
                String[] parts = line.split(" ", 3);
                if (parts.length == 3 && parts[0].equals("STAT")) {
                    try {
                        out.put(parts[1], Long.parseLong(parts[2]));
                    } catch (NumberFormatException notAnInteger) {
                        // version, libevent, rusage_user (decimal), ... are not needed as numbers
                    }
                } else {
                    throw new IOException("unexpected stats line: " + line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every key memcached lists in {@code lru_crawler metadump all} (URL-decoded), as anyone who can
     * reach the server can read them.
     */
    List<String> metadumpKeys() {
        try (Conn c = new Conn()) {
            c.send("lru_crawler metadump all\r\n");
            List<String> keys = new ArrayList<>();
            while (true) {
                // metadump ends its item lines with a bare LF and only END with CR LF
                for (String line : c.line().split("\n")) {
                    if (line.equals("END")) {
                        return keys;
                    }
                    if (line.startsWith("key=")) {
                        int space = line.indexOf(' ');
                        String encoded = line.substring(4, space < 0 ? line.length() : space);
                        keys.add(java.net.URLDecoder.decode(encoded, StandardCharsets.UTF_8));
                    } else if (line.startsWith("ERROR") || line.startsWith("BUSY")) {
                        throw new IOException("metadump refused: " + line);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long stat(String name) {
        Long v = stats().get(name);
        if (v == null) {
            throw new IllegalArgumentException("no numeric stat " + name);
        }
        return v;
    }

    /** The value stored under {@code key}, or null. Counts as one {@code cmd_get}. */
    byte[] rawGet(String key) {
        Item item = rawItem(key);
        return item == null ? null : item.data();
    }

    /** The item (flags, bytes, cas) stored under {@code key}, or null. Counts as one {@code cmd_get}. */
    Item rawItem(String key) {
        checkKey(key);
        try (Conn c = new Conn()) {
            c.send("gets " + key + "\r\n");
            String header = c.line();
            if (header.equals("END")) {
                return null;
            }
            String[] p = header.split(" ");
            if (p.length != 5 || !p[0].equals("VALUE") || !p[1].equals(key)) {
                throw new IOException("unexpected get reply: " + header);
            }
            int flags = Integer.parseUnsignedInt(p[2]);
            int len = Integer.parseInt(p[3]);
            long cas = Long.parseUnsignedLong(p[4]);
            byte[] data = c.bytes(len);
            c.expectCrlf();
            String end = c.line();
            if (!end.equals("END")) {
                throw new IOException("unexpected get trailer: " + end);
            }
            return new Item(flags, data, cas);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stores {@code data} under {@code key} with flags 0 and no expiry. */
    void rawSet(String key, byte[] data) {
        rawSet(key, 0, data, 0);
    }

    /** {@code set key flags exptime bytes}; fails unless memcached answers STORED. */
    void rawSet(String key, int flags, byte[] data, int exptimeSeconds) {
        checkKey(key);
        try (Conn c = new Conn()) {
            ByteArrayOutputStream req = new ByteArrayOutputStream();
            req.writeBytes(("set " + key + " " + Integer.toUnsignedString(flags) + " " + exptimeSeconds + " "
                    + data.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            req.writeBytes(data);
            req.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            c.send(req.toByteArray());
            String reply = c.line();
            if (!reply.equals("STORED")) {
                throw new IOException("set " + key + " answered " + reply);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code flush_all}: every item is gone at once, the process keeps running. */
    void flushAll() {
        try (Conn c = new Conn()) {
            c.send("flush_all\r\n");
            String reply = c.line();
            if (!reply.equals("OK")) {
                throw new IOException("flush_all answered " + reply);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes {@code key}; true when it existed. */
    boolean rawDelete(String key) {
        checkKey(key);
        try (Conn c = new Conn()) {
            c.send("delete " + key + "\r\n");
            String reply = c.line();
            return reply.equals("DELETED");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void checkKey(String key) {
        if (key.isEmpty() || key.length() > 250) {
            throw new IllegalArgumentException("bad memcached key length: " + key.length());
        }
        for (int i = 0; i < key.length(); i++) {
            char ch = key.charAt(i);
            if (ch <= 32 || ch >= 127) {
                throw new IllegalArgumentException("memcached keys are printable ASCII without spaces: " + key);
            }
        }
    }

    /**
     * Lets real time pass, for behaviour defined by elapsed time (a session interval running out) or
     * a quiet period before asserting that something did not happen; never to wait for something that
     * can be polled (use {@code ItSupport.pollUntil} for that).
     */
    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** One short-lived text-protocol connection to this memcached. */
    private final class Conn implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Conn() throws IOException {
            socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), SOCKET_TIMEOUT_MILLIS);
                socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
                socket.setTcpNoDelay(true);
                in = socket.getInputStream();
                out = socket.getOutputStream();
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        }

        void send(String s) throws IOException {
            send(s.getBytes(StandardCharsets.US_ASCII));
        }

        void send(byte[] b) throws IOException {
            out.write(b);
            out.flush();
        }

        String line() throws IOException {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("memcached closed the connection");
                }
                if (b == '\r') {
                    int n = in.read();
                    if (n != '\n') {
                        throw new IOException("expected LF after CR");
                    }
                    return buf.toString(StandardCharsets.US_ASCII);
                }
                buf.write(b);
            }
        }

        byte[] bytes(int len) throws IOException {
            byte[] data = in.readNBytes(len);
            if (data.length != len) {
                throw new IOException("short read: " + data.length + " of " + len);
            }
            return data;
        }

        void expectCrlf() throws IOException {
            if (in.read() != '\r' || in.read() != '\n') {
                throw new IOException("expected CRLF after data block");
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
