package io.memsession;

/**
 * How concurrent requests of one session are reconciled; chosen with the {@code concurrency}
 * init-param. See docs/concurrency.md for the guarantees and costs of each.
 */
enum ConcurrencyMode {
    /** Each request's changes are merged, attribute by attribute, into what the store holds (compare-and-set). */
    MERGE,
    /** One request at a time per session, cluster-wide, for read-modify-write across attributes. */
    LOCK,
    /** The last request to save overwrites the whole session. */
    NONE
}
