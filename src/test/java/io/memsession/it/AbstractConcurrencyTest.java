package io.memsession.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * What every concurrency test class shares: one real memcached for the class (each test starts its own
 * pair of nodes on it with the mode under test), and {@link ConcurrencyServlet}'s latches opened after
 * each test so that a failed test never leaves requests hanging.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractConcurrencyTest {

    protected MemcachedProcess memcached;

    @BeforeAll
    void startMemcached() {
        memcached = MemcachedProcess.start();
    }

    @AfterAll
    void stopMemcached() {
        if (memcached != null) {
            memcached.close();
        }
    }

    @AfterEach
    void openAllGates() {
        ConcurrencyServlet.reset();
    }
}
