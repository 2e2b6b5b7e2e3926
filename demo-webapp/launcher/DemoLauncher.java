/*
 * Starts one demo node: Jetty 12 (ee10) serving the demo WAR on one loopback address and port.
 * Run by scripts/demo.sh as a single-file Java program, with target/jetty-lib/* (copied there
 * by the demo-webapp build) as its class path:
 *
 *   java -cp 'demo-webapp/target/jetty-lib/*' demo-webapp/launcher/DemoLauncher.java \
 *        --host 127.0.0.1 --port 8081 --war demo-webapp/target/memsession-demo.war
 *
 * It is not part of the WAR: any Servlet 6 container can run the same WAR.
 */

import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ClassMatcher;

import java.io.File;

public class DemoLauncher {

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 8080;
        String war = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (i + 1 >= args.length) {
                usage("missing value after " + arg);
            }
            switch (arg) {
                case "--host" -> host = args[++i];
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--war" -> war = args[++i];
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

    private static void usage(String problem) {
        System.err.println("DemoLauncher: " + problem);
        System.err.println("usage: DemoLauncher [--host 127.0.0.1] [--port 8080] --war FILE.war");
        System.exit(2);
    }
}
