package io.memsession.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A memcached server of the fleet that stops answering (SIGSTOP: connections open, nothing answered)
 * costs the requests of its sessions a few bounded waits in all, not one per request, while the other
 * server's sessions go on as usual; once it answers again its sessions are back. Real memcached
 * processes, a Jetty node.
 */
class MemcachedBreakerTest {

    private static final int OP_TIMEOUT_MILLIS = 300;
    private static final String PREFIX = "memsession:/app:";

    private final List<MemcachedProcess> servers = new ArrayList<>();
    private ContainerNode node;

    @AfterEach
    void stopAll() throws Exception {
        ItSupport.stopAll(java.util.Collections.singletonList(node), servers);
    }

    private record User(String id, String value) {
    }

    private Browser.Response as(User user, String... ops) {
        return Browser.rawWithCookie(node.port(), node.probePath(ops), "JSESSIONID=" + user.id());
    }

    @Test
    void aHungServer_costsItsSessionsAFewWaits_notOnePerRequest_andTheOtherServerGoesOn() throws Exception {
        servers.add(MemcachedProcess.start());
        servers.add(MemcachedProcess.start());
        node = ContainerNode.Kind.JETTY.builder("fleet").contextPath("/app")
                .servers(servers.get(0).address() + " " + servers.get(1).address())
                .initParam("opTimeoutMillis", Integer.toString(OP_TIMEOUT_MILLIS)).start();
        List<User> onHung = new ArrayList<>();
        List<User> onOther = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Browser.Response r = Browser.raw(node.port(), node.probePath("get:true", "set:v:string:value-" + i));
            assertEquals(200, r.status(), r::toString);
            User user = new User(r.p("id"), "value-" + i);
            boolean first = servers.get(0).metadumpKeys().contains(ItSupport.storedKey(PREFIX, user.id()));
            (first ? onHung : onOther).add(user);
        }
        assertTrue(onHung.size() >= 5 && onOther.size() >= 5, "sessions spread: " + onHung.size() + "/" + onOther.size());

        int slow = 0;
        long started = System.nanoTime();
        try (MemcachedProcess.Suspension hung = servers.get(0).suspend()) {
            for (int i = 0; i < 30; i++) {
                User user = onHung.get(i % onHung.size());
                long t0 = System.nanoTime();
                Browser.Response r = as(user, "get:false", "attr:v");
                long millis = (System.nanoTime() - t0) / 1_000_000;
                assertEquals(200, r.status(), r::toString);
                if (millis >= OP_TIMEOUT_MILLIS * 0.8) {
                    slow++;
                }
                User other = onOther.get(i % onOther.size());
                assertEquals(other.value(), as(other, "get:false", "attr:v").p("attr.v"),
                        "a session on the server that answers is served as usual");
            }
        }
        long seconds = Math.max(1, (System.nanoTime() - started) / 1_000_000_000);
        // 3 failures open it; then one probe after 0.5 s, 1 s, 2 s, 4 s... of back-off
        int allowed = 3 + (int) (Math.log(seconds * 2.0) / Math.log(2)) + 2;
        System.out.println("MemcachedBreakerTest: " + slow + " of 30 requests for the hung server's sessions waited "
                + OP_TIMEOUT_MILLIS + " ms, in " + seconds + " s");
        assertTrue(slow <= allowed, slow + " of 30 requests waited for the hung server (at most " + allowed
                + " expected in " + seconds + " s): the breaker did not spare them the wait");

        ItSupport.pollUntil(Duration.ofSeconds(15), "the sessions of the server that answers again are served", () -> {
            User user = onHung.get(0);
            return user.value().equals(as(user, "get:false", "attr:v").p("attr.v"));
        });
        for (User user : onHung) {
            assertEquals(user.value(), as(user, "get:false", "attr:v").p("attr.v"), "no session was lost");
        }
    }
}
