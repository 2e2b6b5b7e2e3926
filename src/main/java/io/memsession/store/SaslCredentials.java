package io.memsession.store;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

import javax.security.sasl.Sasl;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslException;

import net.rubyeye.xmemcached.XMemcachedClientBuilder;
import net.rubyeye.xmemcached.auth.AuthInfo;
import net.rubyeye.xmemcached.auth.PlainCallbackHandler;
import net.rubyeye.xmemcached.command.BinaryCommandFactory;

/**
 * A user name and password that memsession presents to every memcached server with SASL PLAIN, for
 * servers started with {@code memcached -S}.
 *
 * <p>memcached accepts SASL only in its binary protocol, so a client built with credentials speaks
 * binary; without them the store keeps the text protocol. {@link #toString()} never shows the
 * password.
 */
public final class SaslCredentials {

    private static final String MECHANISM = "PLAIN";

    private final String user;
    private final String password;

    private SaslCredentials(String user, String password) {
        this.user = user;
        this.password = password;
    }

    /** SASL PLAIN with this user and password. */
    public static SaslCredentials plain(String user, String password) {
        if (user == null || user.isEmpty() || password == null || password.isEmpty()) {
            throw new IllegalArgumentException("SASL needs a user and a password");
        }
        return new SaslCredentials(user, password);
    }

    /**
     * The servers as the client should be given them: each address carries its host as configured
     * as its host name. Xmemcached finds a connection's credentials by the connection's host string,
     * which for an IP literal turns into the reverse-DNS name ({@code localhost}) once anything asked
     * for it; a fixed name keeps the lookup matching, and no reverse lookup is made.
     */
    List<InetSocketAddress> addresses(List<InetSocketAddress> servers) {
        List<InetSocketAddress> addresses = new ArrayList<>(servers.size());
        for (InetSocketAddress server : servers) {
            addresses.add(withFixedHostName(server));
        }
        return List.copyOf(addresses);
    }

    private static InetSocketAddress withFixedHostName(InetSocketAddress server) {
        if (server.isUnresolved()) {
            return server;
        }
        try {
            InetAddress named = InetAddress.getByAddress(server.getHostString(), server.getAddress().getAddress());
            return new InetSocketAddress(named, server.getPort());
        } catch (UnknownHostException e) {
            // only for an address of illegal length, which a resolved address never has
            throw new IllegalStateException(e);
        }
    }

    /** Binary protocol, and these credentials for each of {@code addresses} (from {@link #addresses}). */
    void configure(XMemcachedClientBuilder builder, List<InetSocketAddress> addresses) {
        builder.setCommandFactory(new BinaryCommandFactory());
        for (InetSocketAddress address : addresses) {
            builder.addAuthInfo(address, new EveryConnectWaits(user, password));
        }
        loadSaslMechanism();
    }

    /**
     * Creates one SASL client before any connection does: the first creation loads the JDK's SASL
     * providers, which can take longer than the second Xmemcached waits for a new connection's
     * authentication before letting commands onto it (see {@link EveryConnectWaits}).
     */
    private void loadSaslMechanism() {
        try {
            SaslClient client = Sasl.createSaslClient(new String[] {MECHANISM}, null, "memcached", "memsession",
                    null, new PlainCallbackHandler(user, password));
            if (client == null) {
                throw new SessionStoreException("this Java platform offers no SASL " + MECHANISM + " client", null);
            }
            client.dispose();
        } catch (SaslException e) {
            throw new SessionStoreException("cannot create a SASL " + MECHANISM + " client", e);
        }
    }

    @Override
    public String toString() {
        return "SASL " + MECHANISM + " as '" + user + "'";
    }

    /**
     * PLAIN credentials for which Xmemcached waits (up to a second) for the authentication of every new
     * connection, not only the first, before the connection takes commands. Otherwise, after a
     * reconnection, a request's command can reach memcached before the authentication; memcached
     * refuses it and closes the connection, and the next reconnection races again.
     */
    private static final class EveryConnectWaits extends AuthInfo {
        EveryConnectWaits(String user, String password) {
            super(new PlainCallbackHandler(user, password), new String[] {MECHANISM});
        }

        @Override
        public synchronized boolean isFirstTime() {
            return true;
        }
    }
}
