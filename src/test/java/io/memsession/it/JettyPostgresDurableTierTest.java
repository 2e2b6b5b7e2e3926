package io.memsession.it;

import io.memsession.testdb.TestDatabase;

class JettyPostgresDurableTierTest extends AbstractDurableTierSuite {

    @Override
    protected ContainerNode.Kind kind() {
        return ContainerNode.Kind.JETTY;
    }

    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.POSTGRESQL;
    }
}
