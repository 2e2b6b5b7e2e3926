package io.memsession;

import java.time.Clock;
import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

import io.memsession.SessionConfig.DurableTier;
import io.memsession.SessionConfig.Param;
import io.memsession.store.SessionStore;
import io.memsession.store.jdbc.JdbcDataSources;
import io.memsession.store.jdbc.JdbcSessionStore;
import io.memsession.store.tiered.TieredSessionStore;

/**
 * Builds the durable tier from its settings: the DataSource (the container's, or a pool of memsession's
 * own), the database store, and the tier that puts memcached in front of it.
 */
final class DurableTierSetup {

    private DurableTierSetup() {
    }

    /**
     * @throws IllegalArgumentException naming the init-param when the DataSource cannot be found or no
     *     driver accepts the URL
     */
    static TieredSessionStore open(DurableTier settings, SessionStore memcached, String keySpace, Duration grace,
            Clock clock, ClassLoader webappLoader) {
        DataSource dataSource;
        HikariDataSource pool = null;
        if (settings.jndiName() != null) {
            try {
                dataSource = JdbcDataSources.lookup(settings.jndiName());
            } catch (IllegalArgumentException e) {
                throw SessionConfig.invalid(Param.DATA_SOURCE, settings.jndiName(),
                        "the JNDI name of a javax.sql.DataSource the container binds, e.g."
                                + " 'java:comp/env/jdbc/sessions' (" + e.getMessage() + ")");
            }
        } else {
            try {
                pool = JdbcDataSources.pooled(settings.jdbcUrl(), settings.user(), settings.password(),
                        settings.poolSize(), settings.timeout(), webappLoader);
            } catch (IllegalArgumentException e) {
                throw SessionConfig.invalid(Param.JDBC_URL, SessionConfig.redactedUrl(settings.jdbcUrl()),
                        "a URL that a JDBC driver in the webapp accepts (" + e.getMessage()
                                + "; add the database's driver jar to WEB-INF/lib)");
            }
            dataSource = pool;
        }
        JdbcSessionStore database = new JdbcSessionStore(dataSource, settings.table(), keySpace, settings.timeout(),
                settings.accessWriteFraction(), grace.multipliedBy(2).plusMinutes(1), clock);
        TieredSessionStore tier = new TieredSessionStore(memcached, database, settings.accessWriteFraction(), clock,
                pool);
        tier.start(settings.createTable() ? database::createTableIfAbsent : database::checkTable);
        return tier;
    }
}
