package io.memsession;

import java.security.Principal;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import io.memsession.store.SessionStoreException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    /**
     * Request attribute naming the session a request ended with, for its error page: the error
     * dispatch starts from the container's request, which carries no cookie for a session created by
     * the failing request.
     */
    static final String CARRIED_SESSION_ID = "io.memsession.sessionId";

    /**
     * Most distinct well-formed ids a request may name (several cookies of different paths or domains,
     * plus the URL): each costs a memcached lookup until one names a live session.
     */
    static final int MAX_CANDIDATE_IDS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(SessionRequest.class);

    private final HttpServletResponse response;
    private final SessionRepository repository;
    private final SessionCookies cookies;
    private final UrlSessionIds urlIds;
    /** Set in {@code lock} mode for paths that take the lock; null otherwise. */
    private final SessionLocking locking;
    private final boolean lockTimeoutFails;
    /** When the container received this request: the session's access time. */
    private final long receivedAt;
    /** The response the application writes to (memsession's wrapper), for async cycles. */
    private HttpServletResponse applicationResponse;
    /** The async context handed to the application, which saves before completing; null until startAsync. */
    private AsyncContext asyncContext;

    private List<String> candidateIds;
    private boolean resolved;
    private String requestedId;
    private SharedSession requestedSession;
    private SharedSession session;
    private boolean accessRecorded;
    private SessionLocking.HeldLock lock;
    /** Lock mode without the lock: the session is served, its changes are not saved. */
    private boolean readOnly;
    /** Lock mode: the lock could not be asked for, and the session is read-only from the durable tier. */
    private boolean lockAway;
    /** Lock mode, lockTimeoutAction=fail: the refusal, repeated to every later {@code getSession}. */
    private SessionLockTimeoutException busy;
    /** The store did not answer for the requested session: a detached stand-in serves this request. */
    private boolean storeUnavailable;
    /**
     * A store call of this request failed (or a save was refused): no more store calls in this request,
     * so that its time in the store stays bounded (docs/storage.md).
     */
    private boolean storeFailed;
    /** The session work is done; a late {@code getSession} (an application's async listener) takes no lock. */
    private boolean completed;

    SessionRequest(HttpServletRequest request, HttpServletResponse response, SessionRepository repository,
            SessionCookies cookies, UrlSessionIds urlIds, SessionLocking locking, boolean lockTimeoutFails,
            long receivedAt) {
        super(request);
        this.locking = locking;
        this.lockTimeoutFails = lockTimeoutFails;
        this.response = response;
        this.repository = repository;
        this.cookies = cookies;
        this.urlIds = urlIds;
        this.receivedAt = receivedAt;
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
        if (storeUnavailable && requestedId != null) {
            // the user's session may well exist: a new id now would replace their cookie for good
            session = repository.createDetached(requestedId, receivedAt);
            return session;
        }
        session = repository.create(receivedAt);
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
        if (current == requestedSession) {
            checkMayWrite("changeSessionId");
        }
        if (current.isDetached()) {
            throw new IllegalStateException("changeSessionId: the session store does not answer; the id cannot be"
                    + " changed now");
        }
        try {
            repository.changeId(current, receivedAt);
        } catch (IllegalStateException e) {
            storeFailed |= e.getCause() instanceof SessionStoreException;
            throw e;
        }
        cookies.write(this, response, current.getId());
        return current.getId();
    }

    @Override
    public String getRequestedSessionId() {
        if (wellFormedRequestedIds().size() > 1) {
            // several candidates (a stale cookie beside the live one): the requested id is the one that
            // names a live session, as containers answer, which takes a load to know
            resolve();
        }
        findRequestedId();
        return requestedId;
    }

    /**
     * Async cycles started by the application keep this request and its response as theirs, so that
     * {@code AsyncContext.getRequest().getSession()} and async dispatches see memsession's session.
     */
    @Override
    public AsyncContext startAsync() {
        return startAsync(this, applicationResponse);
    }

    @Override
    public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
        asyncContext = new CommittingAsyncContext(super.startAsync(request, response), this::commit);
        return asyncContext;
    }

    @Override
    public AsyncContext getAsyncContext() {
        AsyncContext current = super.getAsyncContext();
        return asyncContext != null ? asyncContext : current;
    }

    @Override
    public boolean isRequestedSessionIdValid() {
        resolve();
        return requestedSession != null && requestedSession.isValid();
    }

    @Override
    public boolean isRequestedSessionIdFromCookie() {
        String id = getRequestedSessionId();
        return id != null && !id.equals(urlIds.find(getRequestURI()));
    }

    @Override
    public boolean isRequestedSessionIdFromURL() {
        String id = getRequestedSessionId();
        return id != null && id.equals(urlIds.find(getRequestURI()));
    }

    /** The id to put in URLs for this client, or null when URLs need none (cookies work, or no session). */
    String idForUrls() {
        if (!urlIds.isEnabled() || session == null || !session.isValid()) {
            return null;
        }
        return isRequestedSessionIdFromCookie() && session.getId().equals(requestedId) ? null : session.getId();
    }

    /** The application's view of the response; set once by the filter before the chain runs. */
    void respondThrough(HttpServletResponse response) {
        this.applicationResponse = response;
    }

    /**
     * The session's user, for stores that index sessions by user: the container's authenticated user of
     * this request, else the string the application put in {@link MemcachedSessionFilter#PRINCIPAL_ATTRIBUTE}.
     */
    private String principalName() {
        Principal user = super.getUserPrincipal();
        if (user != null) {
            return user.getName();
        }
        return session.stringAttribute(MemcachedSessionFilter.PRINCIPAL_ATTRIBUTE);
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
        boolean withoutLock = readOnly && session == requestedSession;
        if (withoutLock || (lock != null && session.hasChanges() && !lock.isStillHeld())) {
            dropChanges();
            return;
        }
        if (storeFailed) {
            // one bounded wait per request: a store that failed once is not asked again until the next
            return;
        }
        boolean recordAccessIfUnchanged = !accessRecorded && session.isStored();
        String idBefore = session.getId();
        switch (repository.save(session, recordAccessIfUnchanged, receivedAt, this::principalName)) {
            case WRITTEN -> accessRecorded = true;
            case FAILED -> storeFailed = true;
            case NOTHING -> { }
        }
        if (!idBefore.equals(session.getId())) {
            // a new session's id was taken after all; the cookie must follow
            if (response.isCommitted()) {
                LOG.warn("a new session had to change its id after the response was committed; the client keeps"
                        + " the old one and will start a new session");
            } else {
                cookies.write(this, response, session.getId());
            }
        }
    }

    /**
     * The request is over: commits, and if it never looked at its session, still counts it as a use
     * of the session named by its cookie (spec 7.6), unless the operator excluded its path.
     */
    void complete(boolean keepAliveAllowed) {
        try {
            commit();
            if (!resolved && keepAliveAllowed && !storeFailed) {
                findRequestedId();
                if (requestedId != null) {
                    repository.keepAlive(requestedId, receivedAt);
                }
            }
        } finally {
            completed = true;
            releaseLock();
            if (session != null && session.isValid() && session.isStored()) {
                setAttribute(CARRIED_SESSION_ID, session.getId());
            }
        }
    }

    /**
     * Loads the session named by the cookie, at most once per request. Several session cookies
     * happen when a stale one with another path or domain lingers: each well-formed value is tried
     * in order until one names a stored session. Malformed values are never looked up.
     */
    private void resolve() {
        if (busy != null) {
            // the requested session is locked: never answer with another session instead
            throw busy;
        }
        if (resolved) {
            return;
        }
        resolved = true;
        for (String candidate : wellFormedRequestedIds()) {
            lock(candidate);
            SessionRepository.Lookup found = storeUnavailable ? SessionRepository.Lookup.UNAVAILABLE
                    : repository.load(candidate);
            requestedSession = found.session();
            if (requestedSession != null) {
                requestedId = candidate;
                session = requestedSession;
                if (locking != null) {
                    requestedSession.guardWrites(() -> checkMayWrite("invalidate"));
                }
                return;
            }
            releaseLock();
            readOnly = false;
            lockAway = false;
            if (found.storeUnavailable()) {
                storeUnavailable = true;
                storeFailed = true;
                requestedId = candidate;
                return;
            }
        }
    }

    /**
     * In lock mode, waits for the session's lock before it is loaded, so that the load sees what the
     * previous holder saved. When the wait runs out: fail (503) or go on read-only, as configured.
     */
    private void lock(String id) {
        if (locking == null || readOnly || completed) {
            return;
        }
        try {
            lock = locking.acquire(id);
        } catch (SessionStoreException e) {
            // an outage, not a busy session: never a 503
            if (locking.servesReadOnlyWhenAway()) {
                // the durable tier still has the session: served from it, but no lock means no writes
                LOG.warn("session lock could not be asked for, the session is served read-only from the database: {}",
                        e.getMessage());
                readOnly = true;
                lockAway = true;
                return;
            }
            LOG.warn("session lock could not be asked for: {}", e.getMessage());
            storeUnavailable = true;
            storeFailed = true;
            return;
        }
        if (lock != null) {
            return;
        }
        if (lockTimeoutFails) {
            busy = new SessionLockTimeoutException("the session is locked by another request and its lock was not"
                    + " free within lockTimeoutMillis (" + locking.budget().toMillis() + " ms)");
            throw busy;
        }
        readOnly = true;
    }

    /** Lock mode: ending or moving the session needs the lock, like any other write. */
    private void checkMayWrite(String operation) {
        if (locking != null && (readOnly || lock == null || !lock.isStillHeld())) {
            throw new SessionLockTimeoutException(operation + ": this request does not hold the session's lock"
                    + " (not free within lockTimeoutMillis, or held longer than lockTtlSeconds)");
        }
    }

    private void releaseLock() {
        if (lock == null) {
            return;
        }
        try {
            lock.release();
        } finally {
            lock = null;
        }
    }

    private void dropChanges() {
        repository.dropChanges(session, lockAway
                ? "memcached, which holds the session locks, did not answer (served read-only from the database)"
                : readOnly ? "the request ran without the session lock (lockTimeoutAction=readonly)"
                : "the request held the session lock longer than lockTtlSeconds (" + locking.ttlSeconds()
                        + " s) and lost it");
    }

    private void findRequestedId() {
        if (requestedId == null) {
            requestedId = wellFormedRequestedIds().stream().findFirst().orElse(null);
        }
    }

    /**
     * Cookie values first; the URL's path parameter last, and only when URL tracking is on. Duplicates
     * are dropped and at most {@link #MAX_CANDIDATE_IDS} are kept, so that a header stuffed with session
     * cookies costs no more memcached lookups than a stale cookie beside the live one does. Computed
     * once per request.
     */
    private List<String> wellFormedRequestedIds() {
        if (candidateIds == null) {
            Set<String> candidates = new LinkedHashSet<>(4);
            if (getDispatcherType() == DispatcherType.ERROR
                    && getAttribute(CARRIED_SESSION_ID) instanceof String carried) {
                addIfWellFormed(candidates, carried);
            }
            for (String value : cookies.requestedValues(this)) {
                addIfWellFormed(candidates, value);
            }
            addIfWellFormed(candidates, urlIds.find(getRequestURI()));
            candidateIds = List.copyOf(candidates);
        }
        return candidateIds;
    }

    private static void addIfWellFormed(Set<String> candidates, String value) {
        if (candidates.size() < MAX_CANDIDATE_IDS && value != null && SessionIds.isWellFormed(value)) {
            candidates.add(value);
        }
    }
}
