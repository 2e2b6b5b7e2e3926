package io.memsession.store;

import java.util.Collection;
import java.util.List;

import com.google.code.yanf4j.core.Session;

import net.rubyeye.xmemcached.MemcachedSessionLocator;
import net.rubyeye.xmemcached.impl.KetamaMemcachedSessionLocator;

/**
 * Consistent hashing (ketama) of a session's memcached keys by their common part, so that a session's
 * document, access record, lock and end claim always live on one server.
 *
 * <p>Hashing each whole key would put the document and its access record on different servers about
 * as often as not: a load (one multi-key {@code gets}) would then wait for two servers, and losing one
 * server would leave half a session behind. The suffixes are memsession's own (see
 * {@link MemcachedSessionStore}); keys without one are hashed whole.
 */
final class SameServerLocator implements MemcachedSessionLocator {

    private static final List<String> SUFFIXES = List.of(MemcachedSessionStore.ACCESS_SUFFIX,
            MemcachedSessionStore.LOCK_SUFFIX, MemcachedSessionStore.END_CLAIM_SUFFIX);

    private final KetamaMemcachedSessionLocator ketama = new KetamaMemcachedSessionLocator();
    /**
     * The connection when there is exactly one (one server, the default pool of one connection): every
     * key goes there, so the ring's MD5 per key is skipped (a few per cent of a request's CPU).
     */
    private volatile Session only;

    @Override
    public Session getSessionByKey(String key) {
        Session single = only;
        return single != null ? single : ketama.getSessionByKey(sessionPart(key));
    }

    @Override
    public void updateSessions(Collection<Session> sessions) {
        ketama.updateSessions(sessions);
        only = sessions.size() == 1 ? sessions.iterator().next() : null;
    }

    @Override
    public void setFailureMode(boolean failureMode) {
        ketama.setFailureMode(failureMode);
    }

    /** The key without memsession's item suffix: the part every item of one session shares. */
    static String sessionPart(String key) {
        for (String suffix : SUFFIXES) {
            if (key.endsWith(suffix)) {
                return key.substring(0, key.length() - suffix.length());
            }
        }
        return key;
    }
}
