package io.memsession.benchmark;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Counts the increments the server acknowledged: {@code /counter} requests whose chain (session filter
 * included) ended with a status below 400. Counting on the server rather than in the load generator
 * includes the requests still in flight when the load generator stops, so that
 * acknowledged − stored is exactly the number of lost updates.
 */
final class AcknowledgeFilter implements Filter {

    private final AtomicLong acknowledged;

    AcknowledgeFilter(AtomicLong acknowledged) {
        this.acknowledged = acknowledged;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter(request, response);
        if (((HttpServletResponse) response).getStatus() < 400) {
            acknowledged.incrementAndGet();
        }
    }
}
