package io.memsession;

import io.memsession.codecfixtures.Cart;
import io.memsession.codecfixtures.Color;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.zip.Deflater;

/**
 * What compressing a session document costs and gains, on three realistic sessions: the benchmark's
 * ~1 KB profile map, a ~20 KB cart of application objects, a ~200 KB text-heavy session. Not a test: a
 * plain loop with warm-up, run by hand (figures in docs/operations.md, "Sizing"):
 * <pre>
 * mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) io.memsession.CompressionMeasurement
 * </pre>
 */
final class CompressionMeasurement {

    private static final String[] WORDS = ("the session store keeps every user's state in memcached so that any node"
            + " can serve the next request order delivery address invoice customer product price total message"
            + " account payment shipped review comment search result page London Paris Berlin quick brown lazy"
            + " dog jumps over report quarterly revenue region north south east west growth").split(" ");

    private CompressionMeasurement() {
    }

    public static void main(String[] args) {
        AttributeCodec attributes = new AttributeCodec(TypeAllowList.parse("io.memsession.codecfixtures.*"));
        SessionCodec codec = new SessionCodec(attributes);
        Map<String, byte[]> sessions = new LinkedHashMap<>();
        sessions.put("profile (benchmark)", codec.encode(record(attributes, Map.of("profile", profile(), "count", 7))));
        sessions.put("cart of objects", codec.encode(record(attributes, cartSession())));
        sessions.put("text-heavy", codec.encode(record(attributes, textSession())));
        System.out.println("| session | JSON bytes | level | stored bytes | ratio | compress µs | inflate µs |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (Map.Entry<String, byte[]> session : sessions.entrySet()) {
            for (int level : new int[] {Deflater.BEST_SPEED, 6, Deflater.BEST_COMPRESSION}) {
                measure(session.getKey(), session.getValue(), level);
            }
        }
    }

    private static void measure(String name, byte[] document, int level) {
        int rounds = Math.max(200, 20_000_000 / document.length);
        byte[] compressed = null;
        long sink = 0;
        for (int i = 0; i < rounds; i++) {
            // warm-up
            compressed = DocumentCompression.compress(document, level);
            sink += DocumentCompression.inflate(compressed).length;
        }
        long started = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            compressed = DocumentCompression.compress(document, level);
        }
        double compressMicros = (System.nanoTime() - started) / 1000.0 / rounds;
        started = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            sink += DocumentCompression.inflate(compressed).length;
        }
        double inflateMicros = (System.nanoTime() - started) / 1000.0 / rounds;
        if (sink == 42) {
            System.out.println();
        }
        System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %.2f | %.1f | %.1f |%n", name, document.length, level,
                compressed.length, (double) compressed.length / document.length, compressMicros, inflateMicros);
    }

    private static SessionRecord record(AttributeCodec codec, Map<String, Object> values) {
        Map<String, byte[]> encoded = new LinkedHashMap<>();
        values.forEach((k, v) -> encoded.put(k, codec.encode(v)));
        return new SessionRecord("Q2xk3v0E8p4hN1mS7yXcVt9aB6uJ5wRz", 1_732_450_000_000L, 1_732_450_360_000L, 1800,
                encoded);
    }

    /** As the speed benchmark's ProfileServlet builds it. */
    private static Map<String, Object> profile() {
        Map<String, Object> profile = new LinkedHashMap<>();
        profile.put("name", "User 12345678");
        profile.put("email", "user12345678@example.org");
        profile.put("userId", 12_345_678L);
        profile.put("uuid", UUID.nameUUIDFromBytes("seed".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        profile.put("locale", "en-GB");
        profile.put("timeZone", "Europe/London");
        profile.put("admin", Boolean.FALSE);
        profile.put("loginCount", 42);
        profile.put("balance", 1234.5);
        profile.put("birthDate", LocalDate.of(1980, 5, 17));
        profile.put("lastLogin", Instant.parse("2026-01-02T03:04:05Z"));
        profile.put("roles", new ArrayList<>(List.of("reader", "writer", "reviewer", "customer")));
        Map<String, Object> address = new LinkedHashMap<>();
        address.put("street", "221B Baker Street");
        address.put("city", "London");
        address.put("postcode", "NW1 6XE");
        address.put("country", "United Kingdom");
        profile.put("address", address);
        Map<String, Object> preferences = new LinkedHashMap<>();
        preferences.put("theme", "dark");
        preferences.put("newsletter", Boolean.TRUE);
        preferences.put("pageSize", 50);
        preferences.put("currency", "GBP");
        preferences.put("recentSearches", new ArrayList<>(List.of("memcached sessions", "jetty 12 clustering",
                "servlet filter", "non-sticky load balancing", "session replication")));
        profile.put("preferences", preferences);
        List<Long> recentItems = new ArrayList<>();
        for (long i = 0; i < 20; i++) {
            recentItems.add(1_000_000L + i * 7919L);
        }
        profile.put("recentItems", recentItems);
        profile.put("note", "x".repeat(200));
        return profile;
    }

    /** About 20 KB: a list of Serializable carts (Java serialization in Base64) and a list of line maps. */
    private static Map<String, Object> cartSession() {
        SplittableRandom random = new SplittableRandom(7);
        List<Cart> carts = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            List<String> items = new ArrayList<>();
            for (int j = 0; j < 8; j++) {
                items.add("SKU-" + (100_000 + random.nextInt(900_000)) + " " + words(random, 3));
            }
            carts.add(new Cart("customer-" + i, items, new BigDecimal(random.nextInt(100_000)).movePointLeft(2),
                    Color.RED));
        }
        List<Map<String, Object>> lines = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("sku", "SKU-" + (100_000 + random.nextInt(900_000)));
            line.put("title", words(random, 4));
            line.put("quantity", 1 + random.nextInt(5));
            line.put("price", new BigDecimal(random.nextInt(100_000)).movePointLeft(2));
            line.put("added", Instant.ofEpochMilli(1_732_450_000_000L + random.nextInt(1_000_000_000)));
            lines.add(line);
        }
        return Map.of("savedCarts", carts, "cartLines", lines, "user", "customer-1");
    }

    /** About 200 KB: drafts, messages and a rendered report of prose. */
    private static Map<String, Object> textSession() {
        SplittableRandom random = new SplittableRandom(11);
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            messages.add(words(random, 40 + random.nextInt(40)));
        }
        StringBuilder report = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            report.append("<tr><td>").append(words(random, 3)).append("</td><td>")
                    .append(random.nextInt(1_000_000)).append("</td></tr>\n");
        }
        return Map.of("messages", messages, "report", report.toString(), "draft", words(random, 2000));
    }

    private static String words(SplittableRandom random, int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
        }
        return text.toString();
    }
}
