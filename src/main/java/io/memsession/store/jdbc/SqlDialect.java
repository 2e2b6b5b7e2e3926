package io.memsession.store.jdbc;

import java.util.List;
import java.util.Locale;

/**
 * What differs between the supported databases: the table's DDL. Every statement the store runs on
 * sessions is plain SQL that PostgreSQL, MariaDB/MySQL and H2 all accept.
 */
enum SqlDialect {

    POSTGRESQL("BYTEA", false),
    /** MariaDB and MySQL: indexes are declared inside CREATE TABLE, since MySQL has no CREATE INDEX IF NOT EXISTS. */
    MARIADB("LONGBLOB", true),
    H2("BLOB", false);

    private final String binaryType;
    private final boolean inlineIndexes;

    SqlDialect(String binaryType, boolean inlineIndexes) {
        this.binaryType = binaryType;
        this.inlineIndexes = inlineIndexes;
    }

    /** The dialect of a database as its driver names it, or null when it is none of the supported ones. */
    static SqlDialect forProduct(String productName) {
        String name = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
        if (name.contains("postgres")) {
            return POSTGRESQL;
        }
        if (name.contains("mariadb") || name.contains("mysql")) {
            return MARIADB;
        }
        if (name.equals("h2")) {
            return H2;
        }
        return null;
    }

    /** The statements that create the table and its indexes when they do not exist, in order. */
    List<String> createTable(String table) {
        String indexName = table.replace('.', '_');
        String columns = "CREATE TABLE IF NOT EXISTS " + table + " ("
                + "key_space VARCHAR(200) NOT NULL, "
                + "session_key VARCHAR(64) NOT NULL, "
                + "document " + binaryType + " NOT NULL, "
                + "doc_version BIGINT NOT NULL, "
                + "last_access BIGINT NOT NULL, "
                + "max_inactive INTEGER NOT NULL, "
                + "expires_at BIGINT NOT NULL, "
                + "principal VARCHAR(255), "
                + "PRIMARY KEY (key_space, session_key)";
        if (inlineIndexes) {
            return List.of(columns + ", "
                    + "INDEX " + indexName + "_expiry (key_space, expires_at), "
                    + "INDEX " + indexName + "_principal (key_space, principal)"
                    + ") ENGINE=InnoDB");
        }
        return List.of(columns + ")",
                "CREATE INDEX IF NOT EXISTS " + indexName + "_expiry ON " + table + " (key_space, expires_at)",
                "CREATE INDEX IF NOT EXISTS " + indexName + "_principal ON " + table + " (key_space, principal)");
    }
}
