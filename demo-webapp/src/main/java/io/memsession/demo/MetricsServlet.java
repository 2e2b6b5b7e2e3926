package io.memsession.demo;

import io.memsession.SessionMetrics;
import io.memsession.store.tiered.TierStatistics;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Locale;

/**
 * {@code GET /metrics.json}: this node's memsession counters, read from the {@link SessionMetrics} that
 * the filter publishes as a servlet context attribute. The demo page polls it through the balancer,
 * which alternates the nodes, to fill its live panel. It never touches the session (and web.xml
 * excludes it from keep-alive), so polling costs memcached nothing. With the durable tier on, its
 * counters ({@link TierStatistics}, another context attribute) come along as {@code "tier"}; without it
 * {@code "tier"} is null.
 */
public class MetricsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("application/json;charset=UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        StringBuilder json = new StringBuilder("{\"node\":").append(Json.string(Node.name(req)));
        Object attribute = getServletContext().getAttribute(SessionMetrics.CONTEXT_ATTRIBUTE);
        if (attribute instanceof SessionMetrics m) {
            long loads = m.loads();
            String meanLoadMillis = loads == 0 ? "null"
                    : String.format(Locale.ROOT, "%.3f", m.loadNanos() / 1e6 / loads);
            json.append(",\"available\":true")
                    .append(",\"loads\":").append(loads)
                    .append(",\"saves\":").append(m.saves())
                    .append(",\"touches\":").append(m.touches())
                    .append(",\"conflicts\":").append(m.saveConflicts())
                    .append(",\"droppedSaves\":").append(m.droppedSaves())
                    .append(",\"unreadable\":").append(m.unreadableSessions())
                    .append(",\"storeFailures\":").append(m.storeFailures())
                    .append(",\"loadNanos\":").append(m.loadNanos())
                    .append(",\"meanLoadMillis\":").append(meanLoadMillis)
                    .append(",\"tier\":").append(tier(getServletContext().getAttribute(TierStatistics.CONTEXT_ATTRIBUTE)));
        } else {
            // the filter is not in front of this webapp (or failed): say so instead of showing zeros
            json.append(",\"available\":false");
        }
        resp.getWriter().write(json.append('}').toString());
    }

    private static String tier(Object attribute) {
        if (!(attribute instanceof TierStatistics t)) {
            return "null";
        }
        return "{\"cacheHits\":" + t.cacheHits()
                + ",\"cacheMisses\":" + t.cacheMisses()
                + ",\"databaseStatements\":" + t.databaseStatements()
                + ",\"databaseFailures\":" + t.databaseFailures()
                + ",\"databaseRefusals\":" + t.databaseRefusals()
                + ",\"repairs\":" + t.repairs()
                + ",\"pendingRepairs\":" + t.pendingRepairs() + "}";
    }
}
