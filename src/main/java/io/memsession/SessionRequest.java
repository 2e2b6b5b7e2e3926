package io.memsession;

import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

/**
 * The request as the application sees it: every session method answers from memcached instead of
 * the container.
 *
 * <p>The path through this class is the request's session life: {@link #resolve() resolve} the id
 * from the cookie (validated first), load it at most once and only when asked, hand out the same
 * {@link SharedSession} for the rest of the request, and {@link #commit() commit} its changes before
 * the response is committed and again, if anything changed since, when the request ends.
 */
final class SessionRequest extends HttpServletRequestWrapper {

    private final HttpServletResponse response;
    private final SessionRepository repository;
    private final SessionCookies cookies;

    private boolean resolved;
    private String requestedId;
    private SharedSession requestedSession;
    private SharedSession session;
    private boolean touched;

    SessionRequest(HttpServletRequest request, HttpServletResponse response, SessionRepository repository,
            SessionCookies cookies) {
        super(request);
        this.response = response;
        this.repository = repository;
        this.cookies = cookies;
    }

    @Override
    public HttpSession getSession() {
        return getSession(true);
    }

    @Override
    public HttpSession getSession(boolean create) {
        if (session != null && session.isValid()) {
            return session;
        }
        resolve();
        if (session != null && session.isValid()) {
            return session;
        }
        if (!create) {
            return null;
        }
        if (response.isCommitted()) {
            throw new IllegalStateException("cannot create a session after the response has been committed");
        }
        session = repository.create();
        cookies.write(this, response, session.getId());
        return session;
    }

    @Override
    public String changeSessionId() {
        SharedSession current = (SharedSession) getSession(false);
        if (current == null) {
            throw new IllegalStateException("changeSessionId: the request has no session");
        }
        if (response.isCommitted()) {
            throw new IllegalStateException("changeSessionId: the response is committed, the new id cannot"
                    + " reach the client");
        }
        repository.changeId(current);
        cookies.write(this, response, current.getId());
        return current.getId();
    }

    @Override
    public String getRequestedSessionId() {
        findRequestedId();
        return requestedId;
    }

    @Override
    public boolean isRequestedSessionIdValid() {
        resolve();
        return requestedSession != null && requestedSession.isValid();
    }

    @Override
    public boolean isRequestedSessionIdFromCookie() {
        return getRequestedSessionId() != null;
    }

    @Override
    public boolean isRequestedSessionIdFromURL() {
        return false;
    }

    /**
     * Writes the session's changes, or extends the life of an unchanged session once per request.
     * Called before the response is committed and when the request ends; a request that never used
     * its session costs nothing here.
     */
    void commit() {
        if (session == null || !session.isValid()) {
            return;
        }
        boolean touchIfUnchanged = !touched && session.isStored();
        if (repository.save(session, touchIfUnchanged)) {
            touched = true;
        }
    }

    /**
     * Loads the session named by the cookie, at most once per request. Several session cookies
     * happen when a stale one with another path or domain lingers: each well-formed value is tried
     * in order until one names a stored session. Malformed values are never looked up.
     */
    private void resolve() {
        if (resolved) {
            return;
        }
        resolved = true;
        for (String candidate : wellFormedCookieValues()) {
            requestedSession = repository.load(candidate).orElse(null);
            if (requestedSession != null) {
                requestedId = candidate;
                session = requestedSession;
                return;
            }
        }
    }

    private void findRequestedId() {
        if (requestedId == null) {
            requestedId = wellFormedCookieValues().stream().findFirst().orElse(null);
        }
    }

    private List<String> wellFormedCookieValues() {
        return cookies.requestedValues(this).stream().filter(SessionIds::isWellFormed).toList();
    }
}
