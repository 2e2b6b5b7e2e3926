package io.memsession;

import java.util.Locale;

/**
 * Session ids carried in URLs as a path parameter ({@code /cart;jsessionid=<id>}), for clients without
 * cookies. Off unless the operator turns it on with {@code urlTracking}: an id in a URL leaks through
 * Referer headers, logs and shared links, and makes session fixation easy.
 */
final class UrlSessionIds {

    static final UrlSessionIds DISABLED = new UrlSessionIds(null);

    /** The path parameter's name, e.g. {@code jsessionid}; null when URL tracking is off. */
    private final String parameterName;

    private UrlSessionIds(String parameterName) {
        this.parameterName = parameterName;
    }

    /** URL tracking with the parameter named after the session cookie, lower case, as containers do. */
    static UrlSessionIds enabled(String cookieName) {
        return new UrlSessionIds(cookieName.toLowerCase(Locale.ROOT));
    }

    boolean isEnabled() {
        return parameterName != null;
    }

    /** The value of the session path parameter in {@code requestUri}, or null. */
    String find(String requestUri) {
        if (parameterName == null || requestUri == null) {
            return null;
        }
        String marker = ";" + parameterName + "=";
        int start = requestUri.indexOf(marker);
        if (start < 0) {
            return null;
        }
        start += marker.length();
        int end = start;
        while (end < requestUri.length() && "/;?#".indexOf(requestUri.charAt(end)) < 0) {
            end++;
        }
        return requestUri.substring(start, end);
    }

    /** {@code url} with the session id as a path parameter before its query and fragment. */
    String encode(String url, String id) {
        if (parameterName == null || url == null || url.contains(";" + parameterName + "=")) {
            return url;
        }
        int end = url.length();
        int query = url.indexOf('?');
        int fragment = url.indexOf('#');
        if (query >= 0) {
            end = query;
        }
        if (fragment >= 0 && fragment < end) {
            end = fragment;
        }
        return url.substring(0, end) + ";" + parameterName + "=" + id + url.substring(end);
    }
}
