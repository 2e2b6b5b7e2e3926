package io.memsession.benchmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs Debian's {@code wrk} (closed loop, keep-alive) with the cookie-rotating script and parses its summary. */
final class Wrk {

    /** What one wrk run reported. Latencies in milliseconds. */
    record Result(long requests, double seconds, double p50Millis, double p99Millis, long non2xx, long socketErrors,
            String output) {
        double requestsPerSecond() {
            return requests / seconds;
        }

        long errors() {
            return non2xx + socketErrors;
        }
    }

    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in ([\\d.]+)(us|ms|s|m)");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s*(50|99)(?:\\.000)?%\\s+([\\d.]+)(us|ms|s|m)\\s*$",
            Pattern.MULTILINE);
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern SOCKET = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

    private final Path script;
    private final int threads;
    private final int connections;

    Wrk(Path script, int threads, int connections) {
        this.script = script;
        this.threads = threads;
        this.connections = connections;
    }

    /** Runs {@code path} ("mix" for /counter and /read alternately) for the given seconds. */
    Result run(int port, String path, Path cookies, int seconds) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("wrk", "-t", Integer.toString(threads), "-c",
                Integer.toString(connections), "-d", seconds + "s", "--timeout", "10s", "--latency", "-s",
                script.toString(), "http://127.0.0.1:" + port, "--", path, cookies.toString(),
                Integer.toString(threads)));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        Matcher requests = REQUESTS.matcher(output);
        if (exit != 0 || !requests.find()) {
            throw new IOException("wrk failed (exit " + exit + "): " + output);
        }
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        Matcher percentile = PERCENTILE.matcher(output);
        while (percentile.find()) {
            double millis = millis(Double.parseDouble(percentile.group(2)), percentile.group(3));
            if (percentile.group(1).equals("50")) {
                p50 = millis;
            } else {
                p99 = millis;
            }
        }
        long non2xx = 0;
        Matcher n = NON_2XX.matcher(output);
        if (n.find()) {
            non2xx = Long.parseLong(n.group(1));
        }
        long socketErrors = 0;
        Matcher s = SOCKET.matcher(output);
        if (s.find()) {
            for (int g = 1; g <= 4; g++) {
                socketErrors += Long.parseLong(s.group(g));
            }
        }
        double runSeconds = millis(Double.parseDouble(requests.group(2)), requests.group(3)) / 1000.0;
        return new Result(Long.parseLong(requests.group(1)), runSeconds, p50, p99, non2xx, socketErrors, output);
    }

    private static double millis(double value, String unit) {
        return switch (unit.toLowerCase(Locale.ROOT)) {
            case "us" -> value / 1000.0;
            case "ms" -> value;
            case "s" -> value * 1000.0;
            case "m" -> value * 60_000.0;
            default -> throw new IllegalArgumentException(unit);
        };
    }
}
