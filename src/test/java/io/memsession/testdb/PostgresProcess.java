package io.memsession.testdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL from Debian's package: {@code initdb} into a temporary directory and {@code pg_ctl start} on
 * a free loopback port, as the {@code postgres} user (through {@code runuser}) when the tests run as root,
 * since PostgreSQL refuses to run as root. Stopped by the postmaster's pid.
 */
final class PostgresProcess extends TestDatabase {

    private static final String USER = "memsession";

    private final Path dir;
    private final Path bin;
    private final int port;
    private long pid;

    private PostgresProcess(Path dir, Path bin, int port) {
        this.dir = dir;
        this.bin = bin;
        this.port = port;
    }

    static PostgresProcess start() {
        Path bin = ServerProcesses.installedPostgresBin();
        try {
            Path dir = Files.createTempDirectory("memsession-pg-");
            if (ServerProcesses.isRoot()) {
                ServerProcesses.run(List.of("chown", "postgres", dir.toString()), 10);
            }
            PostgresProcess pg = new PostgresProcess(dir, bin, freeLoopbackPort());
            pg.asServerUser(List.of(bin.resolve("initdb").toString(), "-D", pg.data().toString(), "-A", "trust",
                    "-U", USER, "--no-sync", "-E", "UTF8"), 60);
            pg.launch();
            return pg;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path data() {
        return dir.resolve("data");
    }

    private void launch() {
        String options = "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off"
                + " -c full_page_writes=off -c synchronous_commit=off -c max_connections=60";
        asServerUser(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-l",
                dir.resolve("log").toString(), "-w", "-t", "60", "-o", options, "start"), 90);
        try {
            pid = Long.parseLong(Files.readAllLines(data().resolve("postmaster.pid")).get(0).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!waitFor(20_000, this::answers)) {
            throw new IllegalStateException("PostgreSQL does not answer on 127.0.0.1:" + port);
        }
    }

    private String asServerUser(List<String> command, long timeoutSeconds) {
        List<String> full = new ArrayList<>();
        if (ServerProcesses.isRoot()) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        return ServerProcesses.run(full, timeoutSeconds);
    }

    @Override
    public Kind kind() {
        return Kind.POSTGRESQL;
    }

    @Override
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    @Override
    public String user() {
        return USER;
    }

    @Override
    public String password() {
        return "";
    }

    /** Fast shutdown (SIGINT to the postmaster's pid): open connections are cut. */
    @Override
    public void stop() {
        if (pid != 0 && ProcessHandle.of(pid).isPresent()) {
            ServerProcesses.signal(pid, "INT");
            ServerProcesses.awaitExit(pid, 30);
        }
        pid = 0;
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
