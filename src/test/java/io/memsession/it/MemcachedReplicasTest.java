package io.memsession.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code replicas=2}: every session lives on two memcached servers, so a server killed mid-stream loses
 * no session and no acknowledged change, a server restarted empty gets its copies back, and a server
 * back from a partition never serves its older copies (real memcached processes, two Jetty nodes).
 */
class MemcachedReplicasTest {

    private static final String PREFIX = "memsession:/app:";
    private static final int SESSIONS = 24;
    private static final int ROUNDS = 40;
    private static final int WORKERS = 4;

    private final List<MemcachedProcess> servers = new ArrayList<>();
    private final List<ContainerNode> nodes = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        ItSupport.stopAll(nodes, servers);
    }

    @ParameterizedTest(name = "{0} servers, concurrency={1}")
    @CsvSource({"2, merge", "3, merge", "2, lock"})
    void aServerKilledMidStream_losesNoSessionNorAcknowledgedChange_andComesBackEmptyThenRepaired(int fleet,
            String concurrency) throws Exception {
        for (int i = 0; i < fleet; i++) {
            servers.add(MemcachedProcess.start());
        }
        ContainerNode a = node("a", "1000", concurrency);
        ContainerNode b = node("b", "1000", concurrency);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            Browser.Response r = Browser.raw(a.port(), a.probePath("get:true", "set:n:long:0"));
            assertEquals(200, r.status(), r::toString);
            assertNotNull(r.p("id"), r::toString);
            ids.add(r.p("id"));
        }
        MemcachedProcess victim = servers.get(0);
        assertTrue(copiesOn(victim, ids) >= SESSIONS / 4, "the server to kill holds a share of the copies");

        AtomicInteger done = new AtomicInteger();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                List<String> mine = ids.subList(w * SESSIONS / WORKERS, (w + 1) * SESSIONS / WORKERS);
                workers.add(pool.submit(() -> increment(mine, List.of(a, b), done, failures)));
            }
            ItSupport.pollUntil(Duration.ofSeconds(30), "a third of the load done", () -> done.get() >= total() / 3);
            victim.kill();
            ItSupport.pollUntil(Duration.ofSeconds(30), "two thirds of the load done",
                    () -> done.get() >= 2 * total() / 3);
            victim.restart();
            for (Future<?> worker : workers) {
                worker.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of(), failures, "every request answered 200 with the value its predecessor stored");
        assertEquals(total(), done.get());

        ItSupport.pollUntil(Duration.ofSeconds(20), "every session back on two servers", () -> {
            for (String id : ids) {
                for (ContainerNode node : List.of(a, b)) {
                    Browser.Response r = Browser.rawWithCookie(node.port(), node.probePath("get:false", "attr:n"),
                            "JSESSIONID=" + id);
                    assertEquals(200, r.status(), r::toString);
                    assertEquals(Integer.toString(ROUNDS), r.p("attr.n"), "the last acknowledged value");
                }
            }
            return ids.stream().allMatch(id -> servers.stream().filter(s -> holds(s, id)).count() == 2);
        });
        assertTrue(copiesOn(victim, ids) >= SESSIONS / 4, "the restarted server holds its copies again");
    }

    @Test
    void aServerBackFromAPartition_neverServesItsOlderCopy_andTheNewerCopyRepairsIt() throws Exception {
        servers.add(MemcachedProcess.start());
        servers.add(MemcachedProcess.start());
        ContainerNode node = node("a", "200", "merge");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Browser.Response r = Browser.raw(node.port(), node.probePath("get:true", "set:n:long:0"));
            assertEquals(200, r.status(), r::toString);
            ids.add(r.p("id"));
        }
        MemcachedProcess partitioned = servers.get(0);
        MemcachedProcess other = servers.get(1);
        try (MemcachedProcess.Suspension stopped = partitioned.suspend()) {
            for (int value = 1; value <= 3; value++) {
                for (String id : ids) {
                    Browser.Response r = Browser.rawWithCookie(node.port(),
                            node.probePath("get:false", "attr:n", "set:n:long:" + value), "JSESSIONID=" + id);
                    assertEquals(200, r.status(), r::toString);
                    assertEquals(Integer.toString(value - 1), r.p("attr.n"), r::toString);
                }
            }
        }
        long stale = ids.stream().filter(id -> !sameCopy(partitioned, other, id)).count();
        assertTrue(stale >= ids.size() / 2, "the server back from the partition holds older copies: " + stale);

        ItSupport.pollUntil(Duration.ofSeconds(20), "the stale copies repaired from the newer ones", () -> {
            for (String id : ids) {
                Browser.Response r = Browser.rawWithCookie(node.port(), node.probePath("get:false", "attr:n"),
                        "JSESSIONID=" + id);
                assertEquals(200, r.status(), r::toString);
                assertEquals("3", r.p("attr.n"), "never the copy from before the partition");
            }
            return ids.stream().allMatch(id -> sameCopy(partitioned, other, id));
        });
    }

    private static int total() {
        return SESSIONS * ROUNDS;
    }

    /**
     * Sets each session's {@code n} to one more than the value it reads, round after round, alternating
     * the nodes; a response that is not 200 or reads anything but the last value stored is a failure.
     */
    private static void increment(List<String> ids, List<ContainerNode> nodes, AtomicInteger done,
            List<String> failures) {
        for (int round = 1; round <= ROUNDS; round++) {
            for (int i = 0; i < ids.size(); i++) {
                ContainerNode node = nodes.get((round + i) % nodes.size());
                Browser.Response r = Browser.rawWithCookie(node.port(),
                        node.probePath("get:false", "attr:n", "set:n:long:" + round), "JSESSIONID=" + ids.get(i));
                if (r.status() != 200 || !Integer.toString(round - 1).equals(r.p("attr.n"))) {
                    failures.add("round " + round + " on " + node.name() + ": " + r.status() + " n=" + r.p("attr.n"));
                }
                done.incrementAndGet();
            }
        }
    }

    private ContainerNode node(String name, String opTimeoutMillis, String concurrency) throws Exception {
        String addresses = String.join(" ", servers.stream().map(MemcachedProcess::address).toList());
        ContainerNode node = ContainerNode.Kind.JETTY.builder(name).contextPath("/app").servers(addresses)
                .initParam("replicas", "2").initParam("opTimeoutMillis", opTimeoutMillis)
                .initParam("concurrency", concurrency).start();
        nodes.add(node);
        return node;
    }

    private static boolean holds(MemcachedProcess server, String id) {
        return server.rawGet(ItSupport.storedKey(PREFIX, id)) != null;
    }

    private static long copiesOn(MemcachedProcess server, List<String> ids) {
        return ids.stream().filter(id -> holds(server, id)).count();
    }

    private static boolean sameCopy(MemcachedProcess one, MemcachedProcess two, String id) {
        byte[] first = one.rawGet(ItSupport.storedKey(PREFIX, id));
        return first != null && Arrays.equals(first, two.rawGet(ItSupport.storedKey(PREFIX, id)));
    }
}
