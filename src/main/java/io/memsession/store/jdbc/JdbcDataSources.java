package io.memsession.store.jdbc;

import java.time.Duration;

import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ServiceLoader;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * Where the durable tier's connections come from: the container's {@code DataSource} by JNDI name, or a
 * small HikariCP pool that memsession runs itself from a JDBC URL.
 */
public final class JdbcDataSources {

    private JdbcDataSources() {
    }

    /**
     * The container's DataSource bound under {@code jndiName} (e.g. {@code java:comp/env/jdbc/sessions}).
     *
     * @throws IllegalArgumentException when nothing, or something other than a DataSource, is bound there
     */
    public static DataSource lookup(String jndiName) {
        Object found;
        try {
            found = new InitialContext().lookup(jndiName);
        } catch (NamingException e) {
            throw new IllegalArgumentException("no DataSource is bound under the JNDI name '" + jndiName + "': "
                    + e.getMessage(), e);
        }
        if (!(found instanceof DataSource dataSource)) {
            throw new IllegalArgumentException("the JNDI name '" + jndiName + "' is bound to "
                    + (found == null ? "null" : found.getClass().getName()) + ", not a javax.sql.DataSource");
        }
        return dataSource;
    }

    /**
     * A pool of at most {@code size} connections to {@code jdbcUrl}. It does not connect while it is
     * created (a database that is down at start-up must not stop the webapp); a request waits at most
     * {@code timeout} (250 ms at least, HikariCP's floor) for a connection.
     */
    public static HikariDataSource pooled(String jdbcUrl, String user, String password, int size, Duration timeout) {
        return pooled(jdbcUrl, user, password, size, timeout, JdbcDataSources.class.getClassLoader());
    }

    /**
     * As {@link #pooled(String, String, String, int, Duration)}, with the driver looked up in
     * {@code loader} (the webapp's) when {@link DriverManager} does not know it, as happens when the
     * container initialised DriverManager before the webapp's jars were visible.
     *
     * @throws IllegalArgumentException when no driver accepts the URL
     */
    public static HikariDataSource pooled(String jdbcUrl, String user, String password, int size, Duration timeout,
            ClassLoader loader) {
        HikariConfig config = new HikariConfig();
        config.setDriverClassName(driverFor(jdbcUrl, loader).getClass().getName());
        config.setPoolName("memsession");
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(Math.min(2, size));
        long wait = Math.max(250, timeout.toMillis());
        config.setConnectionTimeout(wait);
        config.setValidationTimeout(wait);
        config.setInitializationFailTimeout(-1);
        config.setAutoCommit(true);
        return new HikariDataSource(config);
    }

    private static Driver driverFor(String jdbcUrl, ClassLoader loader) {
        try {
            return DriverManager.getDriver(jdbcUrl);
        } catch (SQLException notRegistered) {
            for (Driver driver : ServiceLoader.load(Driver.class, loader)) {
                try {
                    if (driver.acceptsURL(jdbcUrl)) {
                        return driver;
                    }
                } catch (SQLException e) {
                    // a driver that cannot even judge the URL does not accept it
                }
            }
            throw new IllegalArgumentException("no JDBC driver on the webapp's class path accepts this URL", notRegistered);
        }
    }
}
