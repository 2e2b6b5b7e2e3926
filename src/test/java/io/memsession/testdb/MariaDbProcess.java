package io.memsession.testdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * MariaDB from Debian's package with a datadir of its own: {@code mariadb-install-db} into a temporary
 * directory, then {@code mariadbd} as a child process on a free loopback port and a socket in that
 * directory, with grant tables skipped (any user name gets in; the server is reachable only from this
 * machine and only for the test). Stopped by pid.
 */
final class MariaDbProcess extends TestDatabase {

    private static final String DATABASE = "memsession";

    private final Path dir;
    private final int port;
    private Process process;

    private MariaDbProcess(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    static MariaDbProcess start() {
        try {
            Path dir = Files.createTempDirectory("memsession-mariadb-");
            MariaDbProcess db = new MariaDbProcess(dir, freeLoopbackPort());
            List<String> install = new ArrayList<>(List.of("mariadb-install-db", "--no-defaults",
                    "--datadir=" + db.data(), "--auth-root-authentication-method=normal", "--skip-test-db",
                    "--skip-name-resolve"));
            if (ServerProcesses.isRoot()) {
                install.add("--user=root");
            }
            ServerProcesses.run(install, 120);
            db.launch();
            db.query("CREATE DATABASE IF NOT EXISTS " + DATABASE);
            return db;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path data() {
        return dir.resolve("data");
    }

    private void launch() {
        List<String> command = new ArrayList<>(List.of("mariadbd", "--no-defaults", "--datadir=" + data(),
                "--socket=" + dir.resolve("sock"), "--pid-file=" + dir.resolve("pid"), "--port=" + port,
                "--bind-address=127.0.0.1", "--skip-grant-tables", "--skip-name-resolve", "--skip-log-bin",
                "--innodb-buffer-pool-size=32M", "--innodb-flush-log-at-trx-commit=2", "--max-connections=80"));
        if (ServerProcesses.isRoot()) {
            command.add("--user=root");
        }
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("log").toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!waitFor(30_000, () -> !process.isAlive() || answersRoot())) {
            throw new IllegalStateException("MariaDB does not answer on 127.0.0.1:" + port);
        }
        if (!process.isAlive()) {
            throw new IllegalStateException("mariadbd exited with " + process.exitValue() + ", see " + dir.resolve("log"));
        }
    }

    private boolean answersRoot() {
        try (var connection = java.sql.DriverManager.getConnection(serverUrl(), user(), password())) {
            return connection.isValid(2);
        } catch (java.sql.SQLException e) {
            return false;
        }
    }

    private String serverUrl() {
        return "jdbc:mariadb://127.0.0.1:" + port + "/";
    }

    @Override
    public List<List<Object>> query(String sql, Object... parameters) {
        if (sql.startsWith("CREATE DATABASE")) {
            try (var connection = java.sql.DriverManager.getConnection(serverUrl(), user(), password());
                    var statement = connection.createStatement()) {
                statement.execute(sql);
                return List.of();
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(sql + ": " + e.getMessage(), e);
            }
        }
        return super.query(sql, parameters);
    }

    @Override
    public Kind kind() {
        return Kind.MARIADB;
    }

    @Override
    public String jdbcUrl() {
        return "jdbc:mariadb://127.0.0.1:" + port + "/" + DATABASE;
    }

    @Override
    public String user() {
        return "root";
    }

    @Override
    public String password() {
        return "";
    }

    /** SIGTERM to mariadbd's pid, then waits for it to exit. */
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
