package io.reporadar.lb;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StrategiesTest {

    private static final Endpoint A = Endpoint.of("a", 80, 5);
    private static final Endpoint B = Endpoint.of("b", 80, 1);
    private static final Endpoint C = Endpoint.of("c", 80, 1);

    private static List<Endpoint> equal(int n) {
        return IntStream.range(0, n).mapToObj(i -> Endpoint.of("10.0.0." + (i + 1), 3000)).collect(Collectors.toList());
    }

    @Test
    void weightedRoundRobinFollowsNginxsSmoothSequence() {
        int[] sequence = RoundRobinSelector.smoothSequence(new int[] {5, 1, 1});
        // nginx's documented example: a a b a c a a.
        assertThat(sequence).containsExactly(0, 0, 1, 0, 2, 0, 0);
    }

    @Test
    void roundRobinGivesEveryEndpointItsWeightPerCycleEvenUnderContention() throws Exception {
        LoadBalancer lb = LoadBalancer.of(Strategy.roundRobin(), List.of(A, B, C));
        Map<Endpoint, AtomicInteger> counts = new ConcurrentHashMap<>();
        int threads = 8;
        int perThread = 7 * 1000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    counts.computeIfAbsent(lb.pick(null), k -> new AtomicInteger()).incrementAndGet();
                }
            });
            worker.start();
            workers.add(worker);
        }
        go.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        assertThat(counts.get(A)).hasValue(threads * perThread * 5 / 7);
        assertThat(counts.get(B)).hasValue(threads * perThread / 7);
        assertThat(counts.get(C)).hasValue(threads * perThread / 7);
    }

    @Test
    void leastConnectionsTakesTheLeastLoadedRelativeToWeightAndRotatesTies() {
        Endpoint heavy = Endpoint.of("h", 80, 3);
        Endpoint light = Endpoint.of("l", 80, 1);
        LoadBalancer lb = LoadBalancer.of(Strategy.leastConnections(), List.of(heavy, light));
        for (int i = 0; i < 3; i++) {
            lb.onStart(heavy);
        }
        lb.onStart(light);
        // 3/3 vs 1/1: a tie, spread round robin.
        assertThat(List.of(lb.pick(null), lb.pick(null))).containsExactlyInAnyOrder(heavy, light);
        lb.onStart(light);
        assertThat(lb.pick(null)).isEqualTo(heavy);

        LoadBalancer even = LoadBalancer.of(Strategy.leastConnections(), equal(4));
        Map<Endpoint, Long> idle = IntStream.range(0, 400).mapToObj(i -> even.pick(null))
                .collect(Collectors.groupingBy(e -> e, Collectors.counting()));
        assertThat(idle.values()).containsOnly(100L);
    }

    @Test
    void powerOfTwoChoicesAvoidsTheLoadedEndpointAndDrawsDistinctPairs() {
        List<Endpoint> endpoints = equal(2);
        LoadBalancer lb = LoadBalancer.of(Strategy.powerOfTwoChoices(), endpoints);
        for (int i = 0; i < 5; i++) {
            lb.onStart(endpoints.get(0));
        }
        // With two endpoints, two distinct draws always compare both: the idle one always wins.
        for (int i = 0; i < 1000; i++) {
            assertThat(lb.pick(null)).isEqualTo(endpoints.get(1));
        }
    }

    @Test
    void powerOfTwoChoicesBalancesTrackedLoad() {
        List<Endpoint> endpoints = equal(10);
        LoadBalancer lb = LoadBalancer.of(Strategy.powerOfTwoChoices(), endpoints);
        for (int i = 0; i < 1000; i++) {
            lb.onStart(requireNonNull(lb.pick(null)));
        }
        int max = endpoints.stream().mapToInt(e -> requireNonNull(lb.stats(e)).inFlight()).max().orElseThrow();
        assertThat(max).as("max in flight with 100 on average").isLessThanOrEqualTo(110);
    }

    @Test
    void randomFollowsTheWeights() {
        LoadBalancer lb = LoadBalancer.of(Strategy.random(), List.of(A, B, C));
        Map<Endpoint, Long> counts = IntStream.range(0, 70_000).mapToObj(i -> lb.pick(null))
                .collect(Collectors.groupingBy(e -> e, Collectors.counting()));
        assertThat(counts.get(A)).isBetween(48_000L, 52_000L);
        assertThat(counts.get(B)).isBetween(9_000L, 11_000L);
    }

    @Test
    void ipHashKeepsAClientOnOneEndpointAndTheFullAddressVariantSplitsASlash24() throws Exception {
        List<Endpoint> endpoints = equal(5);
        LoadBalancer nginxLike = LoadBalancer.of(Strategy.ipHash(), endpoints);
        LoadBalancer full = LoadBalancer.of(Strategy.ipHashFullAddress(), endpoints);
        Endpoint first = nginxLike.pick(PickContext.withClient(InetAddress.getByName("203.0.113.7")));
        assertThat(nginxLike.pick(PickContext.withClient(InetAddress.getByName("203.0.113.200")))).as("same /24").isEqualTo(first);

        long distinct = IntStream.range(1, 255).mapToObj(i -> {
            try {
                return full.pick(PickContext.withClient(InetAddress.getByName("203.0.113." + i)));
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }).distinct().count();
        assertThat(distinct).isEqualTo(5);
    }

    @Test
    void consistentHashMovesAboutOneNthOfTheKeysWhenOneOfNLeaves() {
        List<Endpoint> five = equal(5);
        LoadBalancer before = LoadBalancer.of(Strategy.consistentHash(), five);
        LoadBalancer after = LoadBalancer.of(Strategy.consistentHash(), five.subList(0, 4));
        int keys = 20_000;
        int moved = 0;
        Map<Endpoint, Integer> load = new HashMap<>();
        for (int i = 0; i < keys; i++) {
            PickContext key = PickContext.withKey("user-" + i);
            Endpoint was = requireNonNull(before.pick(key));
            load.merge(was, 1, Integer::sum);
            if (!was.equals(after.pick(key.reset().key("user-" + i)))) {
                moved++;
            }
        }
        // Exactly the keys of the removed endpoint move (its share, about 1/5), and no other.
        assertThat(moved).isEqualTo(load.get(five.get(4)));
        assertThat((double) moved / keys).isBetween(0.12, 0.28);
        assertThat(load.values()).allSatisfy(n -> assertThat(n).isBetween(keys / 5 * 7 / 10, keys / 5 * 13 / 10));
    }

    @Test
    void retriesNeverPickAnEndpointTwiceAndEndWithNull() {
        for (Strategy strategy : List.of(Strategy.roundRobin(), Strategy.leastConnections(), Strategy.powerOfTwoChoices(),
                Strategy.random(), Strategy.ipHash(), Strategy.consistentHash())) {
            LoadBalancer lb = LoadBalancer.of(strategy, equal(4));
            PickContext request = PickContext.withKey("k");
            try {
                request.client(InetAddress.getByName("198.51.100.1"));
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
            List<Endpoint> picked = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                picked.add(lb.pick(request));
            }
            assertThat(picked).as(strategy.name()).doesNotHaveDuplicates().doesNotContainNull();
            assertThat(lb.pick(request)).as(strategy.name()).isNull();
        }
    }

    @Test
    void membershipChangesKeepTheStatsOfEndpointsThatStay() {
        List<Endpoint> endpoints = equal(3);
        LoadBalancer lb = LoadBalancer.of(Strategy.leastConnections(), endpoints);
        lb.onStart(endpoints.get(0));
        lb.onComplete(endpoints.get(0), true, Duration.ofMillis(3));
        lb.onStart(endpoints.get(0));
        lb.update(List.of(endpoints.get(0), endpoints.get(2)));

        assertThat(requireNonNull(lb.stats(endpoints.get(0))).inFlight()).isEqualTo(1);
        assertThat(requireNonNull(lb.stats(endpoints.get(0))).successes()).isEqualTo(1);
        assertThat(lb.stats(endpoints.get(1))).isNull();
        assertThat(lb.pick(null)).isEqualTo(endpoints.get(2));
        assertThatThrownBy(() -> lb.update(List.of(A, A))).hasMessageStartingWith("endpoints: [a:80 weight=5, a:80 weight=5]");
    }
}
