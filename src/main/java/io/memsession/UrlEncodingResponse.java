package io.memsession;

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
        return id == null ? url : urlIds.encode(url, id);
    }

    @Override
    public String encodeRedirectURL(String url) {
        return encodeURL(url);
    }
}
