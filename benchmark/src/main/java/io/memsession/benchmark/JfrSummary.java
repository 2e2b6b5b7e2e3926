package io.memsession.benchmark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises the {@code jdk.ExecutionSample} events of a JFR recording (the same events
 * {@code jfr print --events jdk.ExecutionSample} prints): where the samples' top frames are, grouped by
 * library; which libraries appear anywhere on the stacks (inclusive); and the memsession methods with the
 * most samples under them.
 *
 * <p>Usage as a program: {@code JfrSummary <recording.jfr>...}.
 */
final class JfrSummary {

    private static final Map<String, String> LIBRARIES = new LinkedHashMap<>();

    static {
        LIBRARIES.put("io.memsession.benchmark.", "benchmark app (servlet, stats)");
        LIBRARIES.put("io.memsession.", "memsession");
        LIBRARIES.put("com.fasterxml.jackson.", "Jackson (JSON codec)");
        LIBRARIES.put("net.rubyeye.xmemcached.", "Xmemcached (memcached client)");
        LIBRARIES.put("com.google.code.yanf4j.", "Xmemcached (memcached client)");
        LIBRARIES.put("org.eclipse.jetty.memcached.", "Jetty memcached sessions");
        LIBRARIES.put("org.eclipse.jetty.session.", "Jetty sessions");
        LIBRARIES.put("org.eclipse.jetty.", "Jetty (HTTP, servlet)");
        LIBRARIES.put("jakarta.", "Servlet API");
        LIBRARIES.put("org.slf4j.", "SLF4J");
        LIBRARIES.put("java.io.ObjectOutputStream", "JDK serialization");
        LIBRARIES.put("java.io.ObjectInputStream", "JDK serialization");
        LIBRARIES.put("java.io.ObjectStreamClass", "JDK serialization");
        LIBRARIES.put("java.", "JDK");
        LIBRARIES.put("javax.", "JDK");
        LIBRARIES.put("jdk.", "JDK");
        LIBRARIES.put("sun.", "JDK");
        LIBRARIES.put("com.sun.", "JDK");
    }

    private JfrSummary() {
    }

    public static void main(String[] args) throws IOException {
        for (String file : args) {
            System.out.println(summarize(Path.of(file), file));
        }
    }

    static String library(String className) {
        for (Map.Entry<String, String> e : LIBRARIES.entrySet()) {
            if (className.startsWith(e.getKey())) {
                return e.getValue();
            }
        }
        return "other";
    }

    /** A Markdown summary of one recording. */
    static String summarize(Path recording, String title) throws IOException {
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        Map<String, Map<String, Integer>> owners = new LinkedHashMap<>();
        Map<String, Integer> memsessionMethods = new HashMap<>();
        Map<String, Integer> topMethods = new HashMap<>();
        int samples = 0;
        int withMemsession = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
                continue;
            }
            RecordedStackTrace stack = event.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            samples++;
            List<RecordedFrame> frames = stack.getFrames();
            RecordedFrame top = frames.get(0);
            String topClass = top.getMethod().getType().getName();
            String topLibrary = library(topClass);
            self.merge(topLibrary, 1, Integer::sum);
            topMethods.merge(simpleName(topClass) + "." + top.getMethod().getName(), 1, Integer::sum);
            Set<String> libraries = new LinkedHashSet<>();
            Set<String> methods = new LinkedHashSet<>();
            boolean memsession = false;
            for (RecordedFrame frame : frames) {
                String type = frame.getMethod().getType().getName();
                String library = library(type);
                libraries.add(library);
                if (library.equals("memsession")) {
                    memsession = true;
                    methods.add(simpleName(type) + "." + frame.getMethod().getName());
                }
            }
            libraries.forEach(l -> inclusive.merge(l, 1, Integer::sum));
            owners.computeIfAbsent(owner(frames), o -> new HashMap<>()).merge(topLibrary, 1, Integer::sum);
            methods.forEach(m -> memsessionMethods.merge(m, 1, Integer::sum));
            if (memsession) {
                withMemsession++;
            }
        }
        StringBuilder md = new StringBuilder();
        md.append("#### ").append(title).append("\n\n");
        md.append(samples).append(" execution samples (Java code on CPU; time in the kernel, e.g. socket I/O,"
                + " is not sampled by `jdk.ExecutionSample`).\n\n");
        if (samples == 0) {
            return md.toString();
        }
        final int total = samples;
        md.append("Who the CPU is spent for: each sample goes to the first session or application frame found"
                + " walking down from the top of its stack (so Jackson called by memsession counts for memsession,"
                + " Jetty's response writer called by the servlet for the application); then by the library of the"
                + " top frame.\n\n| spent for | share | by library of the top frame |\n|---|---:|---|\n");
        owners.entrySet().stream().sorted((a, b) -> sum(b.getValue()) - sum(a.getValue())).forEach(e -> {
            StringBuilder parts = new StringBuilder();
            e.getValue().entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).forEach(p -> parts
                    .append(parts.length() == 0 ? "" : ", ").append(p.getKey()).append(String.format(Locale.ROOT,
                            " %.1f %%", 100.0 * p.getValue() / total)));
            md.append(String.format(Locale.ROOT, "| %s | %.1f %% | %s |\n", e.getKey(), 100.0 * sum(e.getValue()) / total,
                    parts));
        });
        md.append("\n| library | self (top frame) | inclusive (anywhere on the stack) |\n|---|---:|---:|\n");
        self.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).forEach(e -> md.append(String.format(
                Locale.ROOT, "| %s | %.1f %% | %.1f %% |\n", e.getKey(), 100.0 * e.getValue() / total,
                100.0 * inclusive.getOrDefault(e.getKey(), 0) / total)));
        inclusive.keySet().stream().filter(l -> !self.containsKey(l)).forEach(l -> md.append(String.format(Locale.ROOT,
                "| %s | 0.0 %% | %.1f %% |\n", l, 100.0 * inclusive.get(l) / total)));
        md.append(String.format(Locale.ROOT, "\nSamples with a memsession frame on the stack: %.1f %%.\n\n",
                100.0 * withMemsession / total));
        if (!memsessionMethods.isEmpty()) {
            md.append("memsession methods with the most samples under them (inclusive):\n\n");
            top(memsessionMethods, 12, total, md);
        }
        md.append("Hottest top frames (self):\n\n");
        top(topMethods, 12, total, md);
        return md.toString();
    }

    private static void top(Map<String, Integer> counts, int limit, int total, StringBuilder md) {
        md.append("| method | samples |\n|---|---:|\n");
        counts.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(limit)
                .forEach(e -> md.append(String.format(Locale.ROOT, "| `%s` | %.1f %% |\n", e.getKey(),
                        100.0 * e.getValue() / total)));
        md.append('\n');
    }

    private static final Set<String> OWNERS = Set.of("memsession", "benchmark app (servlet, stats)",
            "Jetty sessions", "Jetty memcached sessions");

    /** The first memsession, Jetty-session or application frame from the top; else the container. */
    private static String owner(List<RecordedFrame> frames) {
        for (RecordedFrame frame : frames) {
            String library = library(frame.getMethod().getType().getName());
            if (OWNERS.contains(library)) {
                return library.startsWith("Jetty") ? "Jetty's session code" : library;
            }
        }
        return "container (Jetty HTTP, JDK; no session or application frame)";
    }

    private static int sum(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static String simpleName(String className) {
        int dot = className.lastIndexOf('.');
        return dot < 0 ? className : className.substring(dot + 1);
    }
}
