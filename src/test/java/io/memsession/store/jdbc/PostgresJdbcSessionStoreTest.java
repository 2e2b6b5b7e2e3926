package io.memsession.store.jdbc;

import io.memsession.testdb.TestDatabase;

class PostgresJdbcSessionStoreTest extends AbstractJdbcSessionStoreContract {

    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRESQL;
    }
}
