package io.memsession.store.jdbc;

import io.memsession.testdb.TestDatabase;

class H2JdbcSessionStoreTest extends AbstractJdbcSessionStoreContract {

    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }
}
