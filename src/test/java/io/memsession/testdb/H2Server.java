package io.memsession.testdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.h2.tools.Server;

/**
 * H2 in server mode (TCP, bound to loopback only) as a child JVM, with its database files in a temporary
 * directory; stopped by pid like the other servers.
 */
final class H2Server extends TestDatabase {

    private final Path dir;
    private final int port;
    private Process process;

    private H2Server(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    static H2Server start() {
        try {
            H2Server h2 = new H2Server(Files.createTempDirectory("memsession-h2-"), freeLoopbackPort());
            h2.launch();
            return h2;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void launch() {
        String java = ProcessHandle.current().info().command().orElse("java");
        String h2Jar;
        try {
            h2Jar = Path.of(Server.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<String> command = List.of(java, "-Dh2.bindAddress=127.0.0.1", "-Xmx128m", "-cp", h2Jar,
                Server.class.getName(), "-tcp", "-tcpPort", Integer.toString(port), "-baseDir", dir.toString(),
                "-ifNotExists");
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("log").toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!waitFor(30_000, () -> !process.isAlive() || answers()) || !process.isAlive()) {
            throw new IllegalStateException("H2 does not answer on 127.0.0.1:" + port + ", see " + dir.resolve("log"));
        }
    }

    @Override
    public Kind kind() {
        return Kind.H2;
    }

    @Override
    public String jdbcUrl() {
        return "jdbc:h2:tcp://127.0.0.1:" + port + "/sessions";
    }

    @Override
    public String user() {
        return "sa";
    }

    @Override
    public String password() {
        return "";
    }

    /** SIGTERM to the server JVM's pid, then waits for it to exit. */
    @Override
    public void stop() {
        if (process != null && process.isAlive()) {
            ServerProcesses.signal(process.pid(), "TERM");
            ServerProcesses.awaitExit(process.pid(), 30);
        }
    }

    @Override
    public void restart() {
        stop();
        launch();
    }

    @Override
    public void close() {
        stop();
        ServerProcesses.deleteTree(dir);
    }
}
