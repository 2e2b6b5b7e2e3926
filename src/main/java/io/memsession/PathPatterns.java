package io.memsession;

import java.util.ArrayList;
import java.util.List;

/**
 * URL patterns in the servlet mapping style, matched against a request's path within its webapp:
 * exact ({@code /favicon.ico}), prefix ({@code /static/*}) and extension ({@code *.css}).
 */
final class PathPatterns {

    static final PathPatterns NONE = new PathPatterns(List.of(), List.of(), List.of());

    private final List<String> exact;
    private final List<String> prefixes;
    private final List<String> extensions;

    private PathPatterns(List<String> exact, List<String> prefixes, List<String> extensions) {
        this.exact = List.copyOf(exact);
        this.prefixes = List.copyOf(prefixes);
        this.extensions = List.copyOf(extensions);
    }

    /**
     * @throws IllegalArgumentException for a pattern of none of the three forms (the caller names the
     *     init-param)
     */
    static PathPatterns parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return NONE;
        }
        List<String> exact = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        List<String> extensions = new ArrayList<>();
        for (String pattern : spec.trim().split("[,\\s]+")) {
            if (pattern.startsWith("*.") && pattern.length() > 2 && pattern.indexOf('/') < 0) {
                extensions.add(pattern.substring(1));
            } else if (pattern.startsWith("/") && pattern.endsWith("/*")) {
                prefixes.add(pattern.substring(0, pattern.length() - 1));
            } else if (pattern.startsWith("/") && !pattern.contains("*")) {
                exact.add(pattern);
            } else {
                throw new IllegalArgumentException("'" + pattern + "'");
            }
        }
        return new PathPatterns(exact, prefixes, extensions);
    }

    boolean matches(String path) {
        if (exact.contains(path)) {
            return true;
        }
        for (String prefix : prefixes) {
            if (path.startsWith(prefix) || path.equals(prefix.substring(0, prefix.length() - 1))) {
                return true;
            }
        }
        for (String extension : extensions) {
            if (path.endsWith(extension)) {
                return true;
            }
        }
        return false;
    }
}
