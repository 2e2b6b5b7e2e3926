package io.memsession;

import jakarta.servlet.ServletContext;

/**
 * What every {@link SharedSession} of a webapp shares: its servlet context, the codec that checks and
 * encodes attribute values, the application's session listeners, whether values changed in place
 * count as changes, and how large a session may grow.
 */
record SessionServices(ServletContext servletContext, AttributeCodec codec, SessionListeners listeners,
        boolean detectMutations, SessionSizeLimit sizeLimit) {

    /** With the largest size limit and no compression. */
    SessionServices(ServletContext servletContext, AttributeCodec codec, SessionListeners listeners,
            boolean detectMutations) {
        this(servletContext, codec, listeners, detectMutations, SessionSizeLimit.DEFAULT);
    }
}
