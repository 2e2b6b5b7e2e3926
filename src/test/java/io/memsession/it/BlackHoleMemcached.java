package io.memsession.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test fixture: a loopback server that accepts memcached connections, reads every command and never
 * answers, as a hung or black-holing memcached does. Counts the session commands it was sent, so that
 * a test can prove how many times a request asked a dead store.
 */
final class BlackHoleMemcached implements AutoCloseable {

    private static final List<String> SESSION_VERBS = List.of("get", "gets", "add", "set", "cas", "replace",
            "touch", "delete");

    private final ServerSocket server;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final AtomicInteger commands = new AtomicInteger();
    private final Thread acceptor;

    private BlackHoleMemcached() throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        acceptor = new Thread(this::acceptForever, "black-hole-memcached");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static BlackHoleMemcached start() {
        try {
            return new BlackHoleMemcached();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Session commands (get, gets, add, set, cas, replace, touch, delete) received so far. */
    int commandsReceived() {
        return commands.get();
    }

    private void acceptForever() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                accepted.add(socket);
                Thread reader = new Thread(() -> swallow(socket), "black-hole-reader");
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** Reads command lines and drops them; a data block after a storage command is read as lines too. */
    private void swallow(Socket socket) {
        try (InputStream in = socket.getInputStream()) {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    count(line.toString().trim());
                    line.setLength(0);
                } else if (line.length() < 512) {
                    line.append((char) c);
                }
            }
        } catch (IOException e) {
            // the connection was closed by either side: nothing more to count
        }
    }

    private void count(String line) {
        int space = line.indexOf(' ');
        String verb = (space < 0 ? line : line.substring(0, space)).toLowerCase(java.util.Locale.ROOT);
        if (SESSION_VERBS.contains(verb) && line.getBytes(StandardCharsets.ISO_8859_1).length < 512) {
            commands.incrementAndGet();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : accepted) {
            socket.close();
        }
    }
}
