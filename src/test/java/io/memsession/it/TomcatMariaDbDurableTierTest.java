package io.memsession.it;

import io.memsession.testdb.TestDatabase;

class TomcatMariaDbDurableTierTest extends AbstractDurableTierSuite {

    @Override
    protected ContainerNode.Kind kind() {
        return ContainerNode.Kind.TOMCAT;
    }

    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.MARIADB;
    }
}
