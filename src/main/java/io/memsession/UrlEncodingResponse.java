package io.memsession;

import java.net.URI;

import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

/**
 * With {@code urlTracking} on, adds the session id to URLs passed through {@code encodeURL} and
 * {@code encodeRedirectURL} for clients that did not send it back in a cookie.
 */
final class UrlEncodingResponse extends HttpServletResponseWrapper {

    private final SessionRequest request;
    private final UrlSessionIds urlIds;

    UrlEncodingResponse(HttpServletResponse response, SessionRequest request, UrlSessionIds urlIds) {
        super(response);
        this.request = request;
        this.urlIds = urlIds;
    }

    @Override
    public String encodeURL(String url) {
        String id = request.idForUrls();
        return id == null || !pointsIntoThisWebapp(url) ? url : urlIds.encode(url, id);
    }

    /**
     * Only links back into this webapp get the id: on any other host (an identity provider, a partner
     * site) it would be handed to a third party. Relative URLs stay here; absolute ones must name this
     * host, port and context path. A backslash, whitespace or control character anywhere rules a URL
     * out: browsers read {@code /\evil.example/} as {@code //evil.example/} and drop tabs and line
     * breaks, so such a URL may leave the site whatever it looks like here.
     */
    private boolean pointsIntoThisWebapp(String url) {
        if (url == null || hasAmbiguousCharacters(url)) {
            return false;
        }
        int colon = url.indexOf(':');
        int slash = url.indexOf('/');
        boolean hasScheme = colon > 0 && (slash < 0 || colon < slash);
        if (!hasScheme && !url.startsWith("//")) {
            return true;
        }
        URI uri;
        try {
            uri = URI.create(url.startsWith("//") ? request.getScheme() + ":" + url : url);
        } catch (IllegalArgumentException e) {
            return false;
        }
        String scheme = uri.getScheme();
        if (uri.getHost() == null || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
            return false;
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(scheme) ? 443 : 80;
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String contextPath = request.getContextPath();
        return uri.getHost().equalsIgnoreCase(request.getServerName()) && port == request.getServerPort()
                && (path.equals(contextPath) || path.startsWith(contextPath + "/"));
    }

    private static boolean hasAmbiguousCharacters(String url) {
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == '\\' || c <= 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String encodeRedirectURL(String url) {
        return encodeURL(url);
    }
}
