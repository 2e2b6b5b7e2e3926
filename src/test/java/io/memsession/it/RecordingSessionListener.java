package io.memsession.it;

/** The application listener named in the filter's {@code listeners} init-param only. */
public final class RecordingSessionListener extends RecordingListener {

    public RecordingSessionListener() {
        // instantiated by memsession at filter init
    }
}
