package io.memsession.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several memcached servers in {@code servers}: sessions are spread by consistent hashing, so adding or
 * removing a server moves about 1/N of them, not all (real memcached processes, Jetty nodes).
 */
class MemcachedFleetTest {

    private static final int SESSIONS = 300;

    private final List<MemcachedProcess> servers = new ArrayList<>();
    private final List<ContainerNode> nodes = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        ItSupport.stopAll(nodes, servers);
    }

    @Test
    void addingAFourthServer_keepsAboutThreeQuartersOfTheSessions_removingOneKeepsAboutTwoThirds()
            throws Exception {
        for (int i = 0; i < 4; i++) {
            servers.add(MemcachedProcess.start());
        }
        ContainerNode three = node("three", servers.subList(0, 3));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            Browser.Response r = Browser.raw(three.port(), three.probePath("get:true", "set:n:string:" + i));
            assertEquals(200, r.status(), r::toString);
            assertNotNull(r.p("id"), r::toString);
            ids.add(r.p("id"));
        }
        assertEquals(SESSIONS, found(three, ids), "every session is found with the servers it was stored with");
        for (MemcachedProcess server : servers.subList(0, 3)) {
            assertTrue(server.stat("curr_items") >= SESSIONS / 10, "each of the three holds a share of the sessions");
        }

        ContainerNode four = node("four", servers);
        int afterAdding = found(four, ids);
        assertTrue(afterAdding >= SESSIONS * 0.60 && afterAdding <= SESSIONS * 0.90,
                "adding a 4th server should move about a quarter of the sessions; still found: " + afterAdding);

        ContainerNode two = node("two", servers.subList(0, 2));
        int afterRemoving = found(two, ids);
        assertTrue(afterRemoving >= SESSIONS * 0.45 && afterRemoving <= SESSIONS * 0.85,
                "removing 1 of 3 servers should lose about a third of the sessions; still found: " + afterRemoving);
    }

    @Test
    void allItemsOfOneSession_liveOnOneServer() throws Exception {
        for (int i = 0; i < 3; i++) {
            servers.add(MemcachedProcess.start());
        }
        ContainerNode node = node("three", servers);
        for (int i = 0; i < 100; i++) {
            Browser.Response r = Browser.raw(node.port(), node.probePath("get:true", "set:n:string:" + i));
            assertEquals(200, r.status(), r::toString);
        }
        int documents = 0;
        for (MemcachedProcess server : servers) {
            List<String> keys = server.metadumpKeys();
            List<String> records = keys.stream().filter(k -> k.endsWith(".a")).toList();
            assertTrue(!records.isEmpty(), "each server holds a share of the sessions");
            for (String record : records) {
                String document = record.substring(0, record.length() - 2);
                assertTrue(keys.contains(document), () -> "an access record without its document on " + server.address());
            }
            documents += records.size();
        }
        assertEquals(100, documents, "one document and one access record per session");
    }

    private ContainerNode node(String name, List<MemcachedProcess> fleet) throws Exception {
        String addresses = String.join(" ", fleet.stream().map(MemcachedProcess::address).toList());
        ContainerNode node = ContainerNode.Kind.JETTY.builder(name).contextPath("/app").servers(addresses).start();
        nodes.add(node);
        return node;
    }

    /** How many of the sessions a node finds, each asked for without changing it. */
    private static int found(ContainerNode node, List<String> ids) {
        int found = 0;
        for (String id : ids) {
            Browser.Response r = Browser.rawWithCookie(node.port(), node.probePath("get:false"), "JSESSIONID=" + id);
            assertEquals(200, r.status(), r::toString);
            if ("present".equals(r.p("session"))) {
                found++;
            }
        }
        return found;
    }
}
