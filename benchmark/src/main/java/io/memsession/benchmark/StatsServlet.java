package io.memsession.benchmark;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.memsession.store.tiered.TierStatistics;

/**
 * {@code /_bench/stats}: the server process's own counters for the harness, read with no cookie:
 * bytes allocated so far by its live threads (Jetty's pool is fixed-size, so its threads live as long as
 * the server), GC count and GC time, {@code /counter} increments acknowledged; with {@code ?heap} also the heap in use after a full collection.
 */
public final class StatsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private final transient AtomicLong acknowledged;

    StatsServlet(AtomicLong acknowledged) {
        this.acknowledged = acknowledged;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocated = 0;
        for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            if (bytes > 0) {
                allocated += bytes;
            }
        }
        long gcCount = 0;
        long gcMillis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcCount += Math.max(0, gc.getCollectionCount());
            gcMillis += Math.max(0, gc.getCollectionTime());
        }
        StringBuilder body = new StringBuilder().append("allocatedBytes=").append(allocated).append("\ngcCount=")
                .append(gcCount).append("\ngcMillis=").append(gcMillis).append("\nacknowledged=").append(acknowledged.get()).append('\n');
        if (request.getParameter("heap") != null) {
            // what the heap still holds once garbage is gone: sessions kept in this node's memory show here
            System.gc();
            body.append("heapUsedAfterGc=").append(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed())
                    .append('\n');
        }
        if (getServletContext().getAttribute(TierStatistics.CONTEXT_ATTRIBUTE) instanceof TierStatistics tier) {
            body.append("dbStatements=").append(tier.databaseStatements()).append('\n');
        } else {
            body.append("dbStatements=0\n");
        }
        response.setContentType("text/plain;charset=US-ASCII");
        response.getWriter().print(body);
    }
}
