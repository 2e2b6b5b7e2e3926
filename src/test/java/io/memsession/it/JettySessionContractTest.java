package io.memsession.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link AbstractSessionContractSuite} on Jetty 12 (ee10) nodes, plus what only embedded Jetty can show. */
class JettySessionContractTest extends AbstractSessionContractSuite {

    @Override
    protected ContainerNode.Kind kind() {
        return ContainerNode.Kind.JETTY;
    }

    /**
     * An embedded Jetty {@code ServletContextHandler} has no class loader of its own unless one is set:
     * {@code ServletContext.getClassLoader()} answers null. The listeners named in {@code listeners} must
     * still be created (from the loader that loaded the webapp's classes, e.g. the thread's context loader),
     * not looked up in the bootstrap loader.
     */
    @Test
    void listenersAreCreated_whenTheServletContextHasNoClassLoader() throws Exception {
        ContainerNode node = extra(webapp("noLoader").classLoader(null));
        String id = browser.get(node.probe("get:true")).p("id");
        List<EventLog.Event> created = EventLog.where(e -> e.type().equals("sessionCreated") && id.equals(
                e.sessionId()) && e.source().equals(RECORDING));
        assertEquals(1, created.size(), EventLog::dump);
    }
}
