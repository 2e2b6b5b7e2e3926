package io.memsession.it;

/** {@link AbstractTwoNodeSessionSuite} on two embedded Tomcat 11 nodes. */
class TomcatTwoNodeSessionTest extends AbstractTwoNodeSessionSuite {

    @Override
    protected ContainerNode.Kind kind() {
        return ContainerNode.Kind.TOMCAT;
    }
}
