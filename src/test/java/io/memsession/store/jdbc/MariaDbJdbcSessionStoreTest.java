package io.memsession.store.jdbc;

import io.memsession.testdb.TestDatabase;

class MariaDbJdbcSessionStoreTest extends AbstractJdbcSessionStoreContract {

    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.MARIADB;
    }
}
