package io.memsession.it;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /asyncsave?name=N&value=V}: with the request's existing session, starts async and returns at
 * once; a container thread ({@link AsyncContext#start}) sets session attribute N=V, writes
 * {@code async.set=ok} and calls {@link AsyncContext#complete()}. Without a session it answers
 * {@code async.session=null}.
 *
 * <p>When {@link #holdAfterCompletion() armed}, the servlet also registers an {@link AsyncListener} whose
 * {@code onComplete} blocks until {@link #releaseAfterCompletion()} (10 s at most). Containers tell async
 * listeners, in the order they were added, only once the async cycle is over and the response has been
 * written; this one is added before any listener a filter adds after the servlet returns. So while it is
 * held, nothing a filter does in {@code onComplete} has happened yet: a test that looks at memcached as soon
 * as the client has the response sees only what was saved before the response went out, every time, not
 * depending on which thread is faster.
 */
public final class AsyncSaveServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private static volatile CountDownLatch hold;
    private static final AtomicInteger HELD = new AtomicInteger();

    /** Makes the next async cycles' {@code onComplete} wait until {@link #releaseAfterCompletion()}. */
    static void holdAfterCompletion() {
        HELD.set(0);
        hold = new CountDownLatch(1);
    }

    /** Lets every held {@code onComplete} go on, and stops holding. */
    static void releaseAfterCompletion() {
        CountDownLatch latch = hold;
        hold = null;
        if (latch != null) {
            latch.countDown();
        }
    }

    /** How many {@code onComplete} calls have been held since {@link #holdAfterCompletion()}. */
    static int heldCompletions() {
        return HELD.get();
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain;charset=UTF-8");
        HttpSession session = req.getSession(false);
        if (session == null) {
            resp.getOutputStream().write("\nasync.session=null\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        String name = req.getParameter("name");
        String value = req.getParameter("value");
        AsyncContext async = req.startAsync();
        async.setTimeout(20_000);
        CountDownLatch latch = hold;
        if (latch != null) {
            async.addListener(new HoldOnComplete(latch));
        }
        async.start(() -> {
            String answer;
            try {
                session.setAttribute(name, value);
                answer = "\nasync.set=ok\n";
            } catch (RuntimeException e) {
                answer = "\nasync.error=" + e + "\n";
            }
            try {
                async.getResponse().getOutputStream().write(answer.getBytes(StandardCharsets.UTF_8));
            } catch (IOException | RuntimeException ignored) {
                // the client is gone; completing is all that is left
            } finally {
                async.complete();
            }
        });
    }

    /** Blocks the container's {@code onComplete} round until released (10 s at most). */
    private static final class HoldOnComplete implements AsyncListener {
        private final CountDownLatch latch;

        HoldOnComplete(CountDownLatch latch) {
            this.latch = latch;
        }

        @Override
        public void onComplete(AsyncEvent event) {
            HELD.incrementAndGet();
            try {
                latch.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            // onComplete follows
        }

        @Override
        public void onError(AsyncEvent event) {
            // onComplete follows
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // one cycle only
        }
    }
}
