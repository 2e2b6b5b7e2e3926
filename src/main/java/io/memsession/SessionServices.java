package io.memsession;

import jakarta.servlet.ServletContext;

/**
 * What every {@link SharedSession} of a webapp shares: its servlet context, the codec that checks and
 * encodes attribute values, the application's session listeners, and whether values changed in place
 * count as changes.
 */
record SessionServices(ServletContext servletContext, AttributeCodec codec, SessionListeners listeners,
        boolean detectMutations) {
}
