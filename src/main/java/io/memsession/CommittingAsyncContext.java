package io.memsession;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;

/**
 * The application's {@link AsyncContext}, which saves the session when the application calls
 * {@code complete()} or {@code dispatch()}: containers tell {@code AsyncListener}s only after the
 * response has reached the client, too late for the client's next request to find the session.
 */
final class CommittingAsyncContext implements AsyncContext {

    private final AsyncContext delegate;
    private final Runnable commit;

    CommittingAsyncContext(AsyncContext delegate, Runnable commit) {
        this.delegate = delegate;
        this.commit = commit;
    }

    @Override
    public void complete() {
        commit.run();
        delegate.complete();
    }

    @Override
    public void dispatch() {
        commit.run();
        delegate.dispatch();
    }

    @Override
    public void dispatch(String path) {
        commit.run();
        delegate.dispatch(path);
    }

    @Override
    public void dispatch(ServletContext context, String path) {
        commit.run();
        delegate.dispatch(context, path);
    }

    @Override
    public ServletRequest getRequest() {
        return delegate.getRequest();
    }

    @Override
    public ServletResponse getResponse() {
        return delegate.getResponse();
    }

    @Override
    public boolean hasOriginalRequestAndResponse() {
        return delegate.hasOriginalRequestAndResponse();
    }

    @Override
    public void start(Runnable run) {
        delegate.start(run);
    }

    @Override
    public void addListener(AsyncListener listener) {
        delegate.addListener(listener);
    }

    @Override
    public void addListener(AsyncListener listener, ServletRequest request, ServletResponse response) {
        delegate.addListener(listener, request, response);
    }

    @Override
    public <T extends AsyncListener> T createListener(Class<T> type) throws ServletException {
        return delegate.createListener(type);
    }

    @Override
    public void setTimeout(long timeout) {
        delegate.setTimeout(timeout);
    }

    @Override
    public long getTimeout() {
        return delegate.getTimeout();
    }
}
