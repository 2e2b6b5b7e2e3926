package io.memsession.it;

/**
 * An application listener declared twice, as real webapps migrating to memsession do: with the container
 * ({@code <listener>} in web.xml) and in the filter's {@code listeners} init-param. It must still hear each
 * event of a memsession session exactly once.
 */
public final class DualRegisteredListener extends RecordingListener {

    public DualRegisteredListener() {
        // instantiated by the container and by memsession
    }
}
