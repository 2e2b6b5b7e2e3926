package io.memsession.store;

/** What a compare-and-set write of a session document did. */
public enum SaveOutcome {
    /** The document was written. */
    SAVED,
    /** Another writer changed the document since it was loaded; nothing was written. */
    CONFLICT,
    /** The document no longer exists; nothing was written. */
    GONE
}
