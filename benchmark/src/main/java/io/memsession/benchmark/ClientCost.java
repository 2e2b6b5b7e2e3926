package io.memsession.benchmark;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import net.rubyeye.xmemcached.MemcachedClient;
import net.rubyeye.xmemcached.XMemcachedClientBuilder;
import net.rubyeye.xmemcached.utils.AddrUtil;

/**
 * The memcached client's own cost per operation, apart from HTTP and JSON: 32 threads each doing a
 * {@code gets} of a 1.5 KB item and a {@code set} of a 35-byte one (what a read-only request costs
 * memsession), through Xmemcached (as memsession configures it, then with more connections or without
 * get merging) and through a plain blocking text-protocol socket per thread (the floor: no selector
 * thread in between). Prints JVM CPU per operation pair. Usage: {@code ClientCost [seconds]}.
 */
final class ClientCost {

    private static final int THREADS = 32;

    private ClientCost() {
    }

    interface Pair {
        void run(int thread, int i) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        try (Memcached memcached = Memcached.start(Path.of(System.getProperty("java.io.tmpdir"), "clientcost.log"))) {
            String server = "127.0.0.1:" + memcached.port();
            byte[] document = "d".repeat(1500).getBytes(StandardCharsets.US_ASCII);
            for (int round = 0; round < 2; round++) {
                for (String variant : List.of("xmemcached default (1 connection, get merging)",
                        "xmemcached 4 connections", "xmemcached, get merging off", "blocking socket per thread")) {
                    measure(variant, server, document, seconds, round == 0);
                }
            }
        }
    }

    private static void measure(String variant, String server, byte[] document, int seconds, boolean warmup)
            throws Exception {
        MemcachedClient client = null;
        Socket[] sockets = new Socket[THREADS];
        Pair pair;
        if (variant.startsWith("xmemcached")) {
            XMemcachedClientBuilder builder = new XMemcachedClientBuilder(AddrUtil.getAddresses(server));
            builder.setOpTimeout(1000);
            if (variant.contains("4 connections")) {
                builder.setConnectionPoolSize(4);
            }
            client = builder.build();
            if (variant.contains("merging off")) {
                client.setOptimizeGet(false);
            }
            MemcachedClient c = client;
            for (int s = 0; s < 1000; s++) {
                c.set("doc" + s, 3600, document);
            }
            pair = (thread, i) -> {
                if (c.gets("doc" + (i % 1000)) == null) {
                    throw new IllegalStateException("miss");
                }
                c.set("acc" + (i % 1000), 3600, "1733380000000:1800:1733380000000".getBytes(StandardCharsets.US_ASCII));
            };
        } else {
            for (int t = 0; t < THREADS; t++) {
                sockets[t] = new Socket();
                sockets[t].setTcpNoDelay(true);
                sockets[t].connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(server.split(":")[1])));
            }
            for (int s = 0; s < 1000; s++) {
                command(sockets[0], ("set doc" + s + " 0 3600 " + document.length + "\r\n"), document);
            }
            pair = (thread, i) -> {
                command(sockets[thread], "gets doc" + (i % 1000) + "\r\n", null);
                byte[] access = "1733380000000:1800:1733380000000".getBytes(StandardCharsets.US_ASCII);
                command(sockets[thread], "set acc" + (i % 1000) + " 0 3600 " + access.length + "\r\n", access);
            };
        }
        AtomicLong pairs = new AtomicLong();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        CountDownLatch done = new CountDownLatch(THREADS);
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            Thread worker = new Thread(() -> {
                try {
                    for (int i = thread * 31; System.nanoTime() < deadline; i++) {
                        pair.run(thread, i);
                        pairs.incrementAndGet();
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                } finally {
                    done.countDown();
                }
            });
            threads.add(worker);
            worker.start();
        }
        done.await();
        double elapsed = (System.nanoTime() - t0) / 1e9;
        double cpuMicros = (os.getProcessCpuTime() - cpu0) / 1e3;
        if (client != null) {
            client.shutdown();
        }
        for (Socket socket : sockets) {
            if (socket != null) {
                socket.close();
            }
        }
        if (!warmup) {
            System.out.println(String.format(Locale.ROOT, "| %s | %.0f | %.1f |", variant, pairs.get() / elapsed,
                    cpuMicros / pairs.get()));
        }
    }

    /** Sends one text-protocol command (and data block) and reads the reply up to END/STORED. */
    private static void command(Socket socket, String line, byte[] data) throws IOException {
        OutputStream out = socket.getOutputStream();
        byte[] head = line.getBytes(StandardCharsets.US_ASCII);
        byte[] message = new byte[head.length + (data == null ? 0 : data.length + 2)];
        System.arraycopy(head, 0, message, 0, head.length);
        if (data != null) {
            System.arraycopy(data, 0, message, head.length, data.length);
            message[message.length - 2] = '\r';
            message[message.length - 1] = '\n';
        }
        out.write(message);
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        int total = 0;
        while (true) {
            int n = in.read(buffer, total, buffer.length - total);
            if (n < 0) {
                throw new IOException("closed");
            }
            total += n;
            String tail = new String(buffer, Math.max(0, total - 8), Math.min(8, total), StandardCharsets.US_ASCII);
            if (tail.endsWith("END\r\n") || tail.endsWith("STORED\r\n")) {
                return;
            }
        }
    }
}
