package io.reporadar.lb.spi;

import io.reporadar.core.DaemonThreads;
import io.reporadar.lb.Endpoint;
import io.reporadar.lb.LoadBalancer;
import io.reporadar.lb.PassiveHealth;
import io.reporadar.lb.PickContext;
import io.reporadar.lb.Strategy;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The contract every {@link Strategy} must keep, checked through a real {@link LoadBalancer}; the built-in
 * strategies pass it. Call it from a test of your strategy, in any test framework (a broken rule throws an
 * {@link AssertionError} that names it):
 *
 * <pre>{@code
 * @Test
 * void keepsTheStrategyContract() {
 *     StrategyConformance.of(new MyStrategy()).allocationFree().verify();
 * }
 * }</pre>
 *
 * <p>What it checks, over five endpoints of weights 1, 2, 1, 3 and 1, each request with its own key and client
 * address: every endpoint gets picks; a retry never picks an endpoint already tried for the request, and once
 * every one was tried the pick is {@code null}; an endpoint failed past nginx's {@code max_fails}, or ejected,
 * is never picked while others are available; picks from four threads while the membership changes all the
 * time (200 changes between two memberships) return one of their endpoints, never {@code null} or an
 * exception; and, when the strategy claims it, picking allocates nothing (measured on the checking thread, so
 * it needs a JVM that counts a thread's allocations, as HotSpot does). All of it within {@link #TIME_LIMIT}.
 *
 * <p>It has no dependency on any test framework, and nothing in the module depends on it.
 */
public final class StrategyConformance {

    /** How long {@link #verify()} may take. */
    public static final Duration TIME_LIMIT = Duration.ofSeconds(60);

    private static final int PICKS = 10_000;
    private static final int MEMBERSHIP_CHANGES = 200;
    private static final int THREADS = 4;
    private static final long ALLOCATION_ALLOWANCE_BYTES = 1024; // the measurement's own noise, for 100,000 picks

    private final Strategy strategy;
    private boolean allocationFree;

    private StrategyConformance(Strategy strategy) {
        this.strategy = Objects.requireNonNull(strategy, "strategy");
    }

    public static StrategyConformance of(Strategy strategy) {
        return new StrategyConformance(strategy);
    }

    /** Also checks that a pick allocates nothing, once warmed up. */
    public StrategyConformance allocationFree() {
        this.allocationFree = true;
        return this;
    }

    /**
     * Runs every check, on a thread of its own and within {@link #TIME_LIMIT} (a pick that never returns is a
     * broken rule too); throws an {@link AssertionError} naming the first rule broken.
     */
    public void verify() {
        AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();
        Thread checks = DaemonThreads.thread("strategy-conformance", () -> {
            try {
                verifyHere();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        checks.start();
        try {
            checks.join(TIME_LIMIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("strategy " + strategy.name() + ": interrupted while checked");
        }
        if (checks.isAlive()) {
            checks.interrupt();
            throw new AssertionError("strategy " + strategy.name() + ": the checks did not finish within " + TIME_LIMIT.toSeconds()
                    + " s (a pick or a selector that never returns?)");
        }
        Throwable thrown = failure.get();
        if (thrown instanceof AssertionError broken) {
            throw broken;
        }
        if (thrown != null) {
            throw new AssertionError("strategy " + strategy.name() + ": threw " + thrown, thrown);
        }
    }

    private void verifyHere() {
        everyEndpointGetsPicks();
        retriesNeverRepeatAnEndpointAndEndWithNull();
        anUnavailableEndpointIsNotPicked("failed past max_fails", PassiveHealth.DEFAULT.withNginxSemantics(1, Duration.ofHours(1)), 1);
        anUnavailableEndpointIsNotPicked("ejected", PassiveHealth.DEFAULT.withNginxSemantics(0, Duration.ofHours(1))
                .withEjection(3, Duration.ofHours(1), Duration.ofHours(1), 50), 3);
        picksStayAmongTheMembersWhileTheyChange();
        if (allocationFree) {
            picksAllocateNothing();
        }
    }

    private static List<Endpoint> endpoints() {
        int[] weights = {1, 2, 1, 3, 1};
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            endpoints.add(Endpoint.of("10.0.0." + (i + 1), 8080, weights[i]));
        }
        return endpoints;
    }

    /** A request of its own: a key and a client address drawn from {@code random}. */
    private static PickContext request(PickContext context, SplittableRandom random) {
        byte[] address = {(byte) 198, (byte) 51, (byte) random.nextInt(256), (byte) random.nextInt(256)};
        try {
            return context.reset().key("user-" + random.nextLong()).client(InetAddress.getByAddress(address));
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private void everyEndpointGetsPicks() {
        List<Endpoint> endpoints = endpoints();
        LoadBalancer lb = LoadBalancer.of(strategy, endpoints);
        SplittableRandom random = new SplittableRandom(1);
        Set<Endpoint> picked = new HashSet<>();
        PickContext context = new PickContext();
        for (int i = 0; i < PICKS; i++) {
            Endpoint endpoint = picked(lb.pick(request(context, random)), "from five available endpoints (request " + i + ")");
            check(endpoints.contains(endpoint), "picked " + endpoint + ", which is not a member");
            picked.add(endpoint);
        }
        check(picked.size() == endpoints.size(), "picked only " + picked + " in " + PICKS + " requests with distinct keys and addresses");
    }

    private void retriesNeverRepeatAnEndpointAndEndWithNull() {
        List<Endpoint> endpoints = endpoints();
        LoadBalancer lb = LoadBalancer.of(strategy, endpoints);
        SplittableRandom random = new SplittableRandom(2);
        PickContext context = new PickContext();
        for (int request = 0; request < 200; request++) {
            request(context, random);
            Set<Endpoint> tried = new HashSet<>();
            for (int attempt = 0; attempt < endpoints.size(); attempt++) {
                Endpoint endpoint = picked(lb.pick(context), "on attempt " + (attempt + 1) + " with " + tried + " tried of five");
                check(tried.add(endpoint), "picked " + endpoint + " again for a request that already tried it");
            }
            Endpoint extra = lb.pick(context);
            check(extra == null, "picked " + extra + " after every endpoint was tried (expected: null)");
        }
    }

    private void anUnavailableEndpointIsNotPicked(String how, PassiveHealth health, int failures) {
        List<Endpoint> endpoints = endpoints();
        LoadBalancer lb = LoadBalancer.builder(strategy).endpoints(endpoints).health(health).ticker(() -> 0L).build();
        Endpoint unavailable = endpoints.get(3); // the heaviest
        for (int i = 0; i < failures; i++) {
            lb.onStart(unavailable);
            lb.onComplete(unavailable, false, Duration.ofMillis(1));
        }
        SplittableRandom random = new SplittableRandom(3);
        PickContext context = new PickContext();
        for (int i = 0; i < PICKS; i++) {
            Endpoint endpoint = picked(lb.pick(request(context, random)), "while four endpoints were available (" + how + ": "
                    + unavailable + ")");
            check(!endpoint.equals(unavailable), "picked " + unavailable + " although it was " + how);
        }
    }

    private void picksStayAmongTheMembersWhileTheyChange() {
        List<Endpoint> all = new ArrayList<>(endpoints());
        all.add(Endpoint.of("10.0.0.6", 8080, 2));
        List<Endpoint> first = all.subList(0, 5);
        List<Endpoint> second = List.of(all.get(0), all.get(2), all.get(4), all.get(5));
        LoadBalancer lb = LoadBalancer.of(strategy, first);
        ConcurrentLinkedQueue<String> broken = new ConcurrentLinkedQueue<>();
        AtomicBoolean picking = new AtomicBoolean(true);
        List<Thread> pickers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            long seed = t;
            Thread picker = DaemonThreads.thread("strategy-conformance-picker-" + t, () -> {
                SplittableRandom random = new SplittableRandom(seed);
                PickContext context = new PickContext();
                try {
                    while (picking.get() && broken.isEmpty()) {
                        Endpoint endpoint = lb.pick(request(context, random));
                        if (endpoint == null || !all.contains(endpoint)) {
                            broken.add("picked " + endpoint + " while the membership changed (expected: one of " + all + ")");
                            continue;
                        }
                        lb.onStart(endpoint);
                        lb.onComplete(endpoint, true, Duration.ofNanos(random.nextInt(1_000_000)));
                    }
                } catch (RuntimeException | Error e) {
                    broken.add("threw " + e + " while the membership changed");
                }
            });
            pickers.add(picker);
            picker.start();
        }
        boolean stopped;
        try {
            for (int change = 0; change < MEMBERSHIP_CHANGES && broken.isEmpty(); change++) {
                lb.update(change % 2 == 0 ? second : first);
                awaitPicks(lb, broken);
            }
        } finally {
            picking.set(false);
            stopped = joined(pickers);
        }
        check(stopped, "interrupted while its pickers stopped");
        check(broken.isEmpty(), String.valueOf(broken.peek()));
    }

    /** Waits until the pickers picked from the membership just set, so that every change meets picks. */
    private static void awaitPicks(LoadBalancer lb, ConcurrentLinkedQueue<String> broken) {
        long before = lb.picks();
        while (lb.picks() == before && broken.isEmpty() && !Thread.currentThread().isInterrupted()) {
            LockSupport.parkNanos(10_000);
        }
    }

    /** Whether every thread ended; false when interrupted while waiting (the interrupt is kept). */
    private static boolean joined(List<Thread> threads) {
        try {
            for (Thread thread : threads) {
                thread.join();
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void picksAllocateNothing() {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (!(threads instanceof com.sun.management.ThreadMXBean counting) || !counting.isThreadAllocatedMemorySupported()) {
            throw new AssertionError("strategy " + strategy.name() + ": allocation-free claimed, but this JVM does not count a thread's"
                    + " allocations (run the check on HotSpot)");
        }
        boolean wasCounting = counting.isThreadAllocatedMemoryEnabled();
        counting.setThreadAllocatedMemoryEnabled(true);
        try {
            LoadBalancer lb = LoadBalancer.of(strategy, endpoints());
            PickContext[] contexts = new PickContext[64];
            SplittableRandom random = new SplittableRandom(4);
            for (int i = 0; i < contexts.length; i++) {
                contexts[i] = request(new PickContext(), random);
            }
            long sink = 0;
            long thread = Thread.currentThread().getId();
            long fewest = Long.MAX_VALUE;
            // Best of three rounds after a warm-up: the JIT compiles in the background, and until it has, escape
            // analysis cannot remove what the pick path allocates only in appearance.
            for (int round = 0; round < 4; round++) {
                long before = counting.getThreadAllocatedBytes(thread);
                for (int i = 0; i < 100_000; i++) {
                    sink += pick(lb, contexts[i & 63]);
                }
                long allocated = counting.getThreadAllocatedBytes(thread) - before;
                if (round > 0) {
                    fewest = Math.min(fewest, allocated);
                }
            }
            check(fewest <= ALLOCATION_ALLOWANCE_BYTES, "allocated " + fewest + " bytes over 100,000 picks, in the best of three rounds"
                    + " (claimed: none; sink " + sink + ")");
        } finally {
            counting.setThreadAllocatedMemoryEnabled(wasCounting);
        }
    }

    private static int pick(LoadBalancer lb, PickContext context) {
        context.clearTried();
        Endpoint endpoint = lb.pick(context);
        return endpoint == null ? 0 : endpoint.port();
    }

    /** The endpoint a pick returned, or an {@link AssertionError} saying it picked nothing {@code when}. */
    private Endpoint picked(@Nullable Endpoint endpoint, String when) {
        if (endpoint == null) {
            throw new AssertionError("strategy " + strategy.name() + ": picked nothing " + when);
        }
        return endpoint;
    }

    private void check(boolean condition, String broken) {
        if (!condition) {
            throw new AssertionError("strategy " + strategy.name() + ": " + broken);
        }
    }
}
