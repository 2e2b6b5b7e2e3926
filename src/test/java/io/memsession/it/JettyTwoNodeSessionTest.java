package io.memsession.it;

/** {@link AbstractTwoNodeSessionSuite} on two Jetty 12 (ee10) nodes. */
class JettyTwoNodeSessionTest extends AbstractTwoNodeSessionSuite {

    @Override
    protected ContainerNode.Kind kind() {
        return ContainerNode.Kind.JETTY;
    }
}
