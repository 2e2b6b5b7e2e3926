package io.memsession.testdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Test fixture: a real database server on a free loopback port with its data in a temporary directory,
 * started for a test class and stopped by pid (H2: in this JVM). Only 127.0.0.1 is ever used.
 *
 * <p>Besides the connection settings for the code under test, it offers plain JDBC queries that bypass
 * that code, for assertions.
 */
public abstract class TestDatabase implements AutoCloseable {

    /** Which database: the tests run the same scenarios on each. */
    public enum Kind {
        POSTGRESQL, MARIADB, H2;

        /** Starts a fresh server of this kind. */
        public TestDatabase start() {
            return switch (this) {
                case POSTGRESQL -> PostgresProcess.start();
                case MARIADB -> MariaDbProcess.start();
                case H2 -> H2Server.start();
            };
        }
    }

    public abstract Kind kind();

    public abstract String jdbcUrl();

    public abstract String user();

    public abstract String password();

    /** Stops the server (its data stays), as an outage would. */
    public abstract void stop();

    /** Starts it again on the same port with the same data, after {@link #stop}. */
    public abstract void restart();

    /** Stops it and deletes its data. */
    @Override
    public abstract void close();

    /** Runs a query outside the code under test; each row as a list of column values. */
    public List<List<Object>> query(String sql, Object... parameters) {
        try (Connection connection = DriverManager.getConnection(jdbcUrl(), user(), password());
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            if (!statement.execute()) {
                return List.of();
            }
            List<List<Object>> rows = new ArrayList<>();
            try (ResultSet result = statement.getResultSet()) {
                int columns = result.getMetaData().getColumnCount();
                while (result.next()) {
                    List<Object> row = new ArrayList<>();
                    for (int c = 1; c <= columns; c++) {
                        row.add(result.getObject(c));
                    }
                    rows.add(row);
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(kind() + ": " + sql + ": " + e.getMessage(), e);
        }
    }

    /** Runs a statement outside the code under test; the number of rows it changed. */
    public int update(String sql, Object... parameters) {
        try (Connection connection = DriverManager.getConnection(jdbcUrl(), user(), password());
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(kind() + ": " + sql + ": " + e.getMessage(), e);
        }
    }

    /** Whether a connection can be opened and answers. */
    public boolean answers() {
        try (Connection connection = DriverManager.getConnection(jdbcUrl(), user(), password())) {
            return connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return kind().toString();
    }

    static int freeLoopbackPort() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls {@code condition} every 50 ms until it holds or {@code millis} pass; whether it held. */
    static boolean waitFor(long millis, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return condition.getAsBoolean();
    }
}
