/*
 * Starts one demo node: Jetty 12 (ee10) serving the demo WAR on one loopback address and port.
 * Run by scripts/demo.sh as a single-file Java program, with target/jetty-lib/* (copied there
 * by the demo-webapp build) as its class path:
 *
 *   java -cp 'demo-webapp/target/jetty-lib/*' demo-webapp/launcher/DemoLauncher.java \
 *        --host 127.0.0.1 --port 8081 --war demo-webapp/target/memsession-demo.war
 *
 * It is not part of the WAR: any Servlet 6 container can run the same WAR.
 *
 * With {@code --memcached HOST:PORT} the memsession filter's "servers" init-param is set to that
 * address, and with {@code --database JDBC_URL} its "jdbcUrl" (the durable tier's database), through a
 * Jetty override descriptor (container configuration, like a Tomcat context.xml), so the WAR itself
 * stays unchanged; the browser test uses them to run beside a demo on the default ports.
 */

import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ClassMatcher;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

public class DemoLauncher {

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 8080;
        String war = null;
        String memcached = null;
        String database = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (i + 1 >= args.length) {
                usage("missing value after " + arg);
            }
            switch (arg) {
                case "--host" -> host = args[++i];
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--war" -> war = args[++i];
                case "--memcached" -> memcached = args[++i];
                case "--database" -> database = args[++i];
                default -> usage("unknown argument " + arg);
            }
        }
        if (war == null || !new File(war).isFile()) {
            usage("no WAR file at " + war);
        }

        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);

        WebAppContext webapp = new WebAppContext();
        webapp.setContextPath("/");
        webapp.setWar(new File(war).getAbsolutePath());
        if (memcached != null || database != null) {
            webapp.addOverrideDescriptor(filterOverride(memcached, database).toString());
        }
        // A failure to deploy (e.g. the filter's init throwing) must stop the node, not leave
        // a server answering 503.
        webapp.setThrowUnavailableOnStartupException(true);
        // The WAR carries slf4j-api (memsession logs through it) but no provider. Let the webapp
        // use the server's slf4j-api and slf4j-simple instead, so the library's log lines show
        // up in this node's log with Jetty's.
        webapp.addProtectedClassMatcher(new ClassMatcher("org.slf4j."));
        server.setHandler(webapp);
        server.setStopAtShutdown(true);

        server.start();
        System.out.println("DemoLauncher: " + System.getProperty("demo.node", "node")
                + " serving " + war + " at " + server.getURI());
        server.join();
    }

    /**
     * A descriptor that Jetty applies over the WAR's web.xml: the filter named "memsession" gets these
     * servers and this database (each when not null).
     */
    private static Path filterOverride(String servers, String database) throws Exception {
        StringBuilder params = new StringBuilder();
        if (servers != null) {
            if (!servers.matches("[0-9A-Za-z.:\\[\\]]+")) {
                usage("--memcached takes HOST:PORT, not " + servers);
            }
            params.append(initParam("servers", servers));
        }
        if (database != null) {
            if (!database.matches("jdbc:[0-9A-Za-z]+:[0-9A-Za-z.:/\\-_]+")) {
                usage("--database takes a JDBC URL such as jdbc:h2:tcp://127.0.0.1:11312/memsession-demo, not "
                        + database);
            }
            params.append(initParam("jdbcUrl", database));
        }
        Path file = Files.createTempFile("memsession-demo-override", ".xml");
        file.toFile().deleteOnExit();
        Files.writeString(file, """
                <?xml version="1.0" encoding="UTF-8"?>
                <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
                  <filter>
                    <filter-name>memsession</filter-name>
                %s  </filter>
                </web-app>
                """.formatted(params), StandardCharsets.UTF_8);
        return file;
    }

    private static String initParam(String name, String value) {
        return "    <init-param><param-name>" + name + "</param-name><param-value>" + value
                + "</param-value></init-param>\n";
    }

    private static void usage(String problem) {
        System.err.println("DemoLauncher: " + problem);
        System.err.println("usage: DemoLauncher [--host 127.0.0.1] [--port 8080] [--memcached HOST:PORT] [--database JDBC_URL] --war FILE.war");
        System.exit(2);
    }
}
