package io.memsession.it;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EventListener;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.ContextResource;
import org.apache.tomcat.util.descriptor.web.ErrorPage;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/**
 * A {@link ContainerNode} on embedded Tomcat 11: one {@link Tomcat} with its base directory in a fresh temp
 * directory (deleted at stop), one NIO connector on 127.0.0.1 port 0, one {@link Context} whose filter is
 * declared with {@link FilterDef}/{@link FilterMap} and whose servlets are added with
 * {@link Tomcat#addServlet}. Tomcat's own session manager (StandardManager) stays enabled.
 *
 * <p>Tomcat does not throw from {@link Tomcat#start()} when a context fails to start: it logs the cause
 * (e.g. the filter's {@code ServletException}) and leaves the context FAILED/STOPPED. {@link #start()}
 * therefore listens to this node's own container loggers while starting and throws what they reported.
 */
final class TomcatNode extends ContainerNode {

    private static final AtomicInteger ENGINES = new AtomicInteger();
    /** Kept strongly: java.util.logging holds loggers weakly, and a collected logger loses its level. */
    private static final Logger TOMCAT_LOGS = Logger.getLogger("org.apache");

    static {
        // Tomcat logs every start and stop at INFO; warnings and failures are enough in test output.
        TOMCAT_LOGS.setLevel(Level.WARNING);
    }

    private Tomcat tomcat;
    private Connector connector;
    private Context context;
    private Path baseDir;

    TomcatNode(Builder b) {
        super(b);
    }

    static Builder builder(String name) {
        return Kind.TOMCAT.builder(name);
    }

    @Override
    void start() throws Exception {
        baseDir = Files.createTempDirectory("memsession-tomcat-" + name + "-");
        Path docBase = Files.createDirectories(baseDir.resolve("webapp"));
        // a unique engine name makes this node's logger names unique among the nodes of one JVM
        String engineName = "it" + name.replaceAll("[^A-Za-z0-9]", "") + ENGINES.incrementAndGet();

        tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        tomcat.setSilent(true);
        tomcat.getEngine().setName(engineName);
        connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        tomcat.getHost().setAutoDeploy(false);

        if (!jndiResources.isEmpty()) {
            tomcat.enableNaming();
        }
        context = tomcat.addContext(contextPath.equals("/") ? "" : contextPath, docBase.toString());
        jndiResources.forEach((resourceName, resource) -> {
            ContextResource definition = new ContextResource();
            definition.setName(resourceName);
            definition.setType(resource.type().getName());
            definition.setAuth("Container");
            // Tomcat's bean factory: the same mechanism as a <Resource factory="..."> in context.xml
            definition.setProperty("factory", "org.apache.naming.factory.BeanFactory");
            definition.setCloseMethod("close");
            resource.properties().forEach(definition::setProperty);
            context.getNamingResources().addResource(definition);
        });
        context.setDisplayName(name);
        if (classLoader != null) {
            context.setParentClassLoader(classLoader);
        }
        if (context instanceof StandardContext standard) {
            // leak detection that needs --add-opens only prints warnings at every stop
            standard.setClearReferencesThreadLocals(false);
            standard.setClearReferencesRmiTargets(false);
        }
        if (sessionTimeoutMinutes != null) {
            context.setSessionTimeout(sessionTimeoutMinutes);
        }
        for (Class<? extends EventListener> type : listeners) {
            context.addApplicationListener(type.getName());
        }
        // Programmatic configuration done while the context starts, as an application's own initializer
        // would: the cookie config (which Tomcat lets change only then) and the session counter.
        context.addServletContainerInitializer(new Initializer(), null);

        if (filterClass != null) {
            FilterDef def = new FilterDef();
            def.setFilterName("memsession");
            def.setFilterClass(filterClass.getName());
            def.setAsyncSupported("true");
            initParams.forEach(def::addInitParameter);
            context.addFilterDef(def);
            FilterMap map = new FilterMap();
            map.setFilterName("memsession");
            map.addURLPatternDecoded("/*");
            for (DispatcherType type : dispatcherTypes) {
                map.setDispatcher(type.name());
            }
            context.addFilterMap(map);
        }
        addServlet("probe", ProbeServlet.class, true, List.of(PROBE));
        addServlet("plain", PlainServlet.class, false, List.of(PLAIN));
        for (ServletSpec spec : servlets) {
            addServlet(spec.name(), spec.type(), spec.asyncSupported(), spec.patterns());
        }
        errorPages.forEach((status, location) -> {
            ErrorPage page = new ErrorPage();
            page.setErrorCode(status);
            page.setLocation(location);
            context.addErrorPage(page);
        });

        StartFailures failures = new StartFailures();
        Logger engineLogs = Logger.getLogger("org.apache.catalina.core.ContainerBase.[" + engineName + "]");
        engineLogs.addHandler(failures);
        try {
            tomcat.start();
        } catch (Exception e) {
            failures.reported.forEach(e::addSuppressed);
            stopQuietly();
            throw e;
        } finally {
            engineLogs.removeHandler(failures);
        }
        if (context.getState() != LifecycleState.STARTED || !context.getState().isAvailable()) {
            IllegalStateException e = new IllegalStateException("context " + contextPath + " of " + name
                    + " did not start: " + context.getState(), failures.reported.isEmpty() ? null
                    : failures.reported.get(0));
            failures.reported.stream().skip(1).forEach(e::addSuppressed);
            stopQuietly();
            throw e;
        }
    }

    private void addServlet(String servletName, Class<? extends Servlet> type, boolean async,
            List<String> patterns) throws ReflectiveOperationException {
        Servlet servlet = type.getDeclaredConstructor().newInstance();
        Wrapper wrapper = Tomcat.addServlet(context, servletName, servlet);
        wrapper.setAsyncSupported(async);
        for (String pattern : patterns) {
            context.addServletMappingDecoded(pattern, servletName);
        }
    }

    private final class Initializer implements ServletContainerInitializer {
        @Override
        public void onStartup(Set<Class<?>> classes, ServletContext servletContext) {
            cookieConfig.forEach(change -> change.accept(servletContext.getSessionCookieConfig()));
            servletContext.addListener(containerSessionCounter());
        }
    }

    /** Collects the throwables this node's containers log at SEVERE while starting. */
    private static final class StartFailures extends Handler {
        final List<Throwable> reported = new ArrayList<>();

        @Override
        public synchronized void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                reported.add(record.getThrown() != null ? record.getThrown()
                        : new IllegalStateException(record.getMessage()));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (Exception ignored) {
            // already failing
        }
    }

    @Override
    void stop() throws Exception {
        if (tomcat == null) {
            return;
        }
        try {
            tomcat.stop();
            tomcat.destroy();
        } finally {
            tomcat = null;
            deleteTree(baseDir);
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    int port() {
        return connector.getLocalPort();
    }
}
