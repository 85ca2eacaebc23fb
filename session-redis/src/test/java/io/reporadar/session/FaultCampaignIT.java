package io.reporadar.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.testing.FaultSchedule;
import io.reporadar.testing.History;
import io.reporadar.testing.RedisSentinelTopology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.jspecify.annotations.Nullable;

/**
 * A randomized fault campaign against the session store on a master, two replicas and three Sentinels, each on a
 * host of its own (a network namespace; down-after 1 s; append-only files; every node started unpromotable, as
 * the deployment guide runs them, and made promotable by the stores' promotion guard once it streams): seeded
 * schedules of kill -9, SIGSTOP/SIGCONT, restarts and network partitions (a node cut off from the other nodes and
 * Sentinels, clients still reaching it) of the master, the replicas and the Sentinels, while three stores (three
 * instances, in this JVM, which no partition cuts) serve six users who log in, read, count visits and log out.
 * Faults also hit the instances, as behind nginx: kill (its store closed at once, its requests in flight end
 * with it), freeze (requests that reach it wait until it is thawed) and graceful restart (it takes no new
 * request, finishes those it holds, and opens its store anew); users' requests go to an instance that serves.
 * Every operation goes into a {@link History}, which is judged at the end: acknowledged writes lost, reads back
 * in time, sessions back after an acknowledged logout. An exception a user did not expect (anything but the
 * store reporting itself unavailable, or its instance killed under the request) fails the schedule.
 *
 * <p>{@code ./mvnw verify} runs seeds 1-3 with {@code SESSION_DURABILITY=replica-required} and requires a clean
 * history. {@code ./mvnw -pl session-redis -Pcampaign verify} runs {@code campaign.schedules} schedules (100)
 * for each of {@code campaign.modes} ({@code replica-required,replica,master}) and prints a table; only
 * {@code replica-required} must be clean there too. {@code -Dcampaign.seeds=17,42} replays given seeds. Needs root
 * for the hosts (Linux network namespaces).
 */
class FaultCampaignIT {

    private static final int USERS = 6;
    private static final int FAULTS_PER_SCHEDULE = 4;

    @Test
    void noScheduleLosesAnAcknowledgedWriteReadsBackInTimeOrBringsBackALoggedOutSession() throws Exception {
        List<Long> seeds = FaultSchedule.seeds(3);
        List<String> modes = modes();
        List<String> table = new ArrayList<>();
        List<String> unclean = new ArrayList<>();
        for (String mode : modes) {
            int faults = 0;
            long operations = 0;
            long lost = 0;
            long stale = 0;
            long resurrected = 0;
            Duration withoutWrites = Duration.ZERO;
            Duration withoutReads = Duration.ZERO;
            for (long seed : seeds) {
                FaultSchedule schedule = FaultSchedule.generate(seed, FAULTS_PER_SCHEDULE);
                History.Report report = run(schedule, mode);
                System.out.println(mode + " " + schedule + "\n  -> " + report);
                faults += schedule.faults().size();
                operations += report.operations();
                lost += report.lostWrites().size();
                stale += report.staleReads().size();
                resurrected += report.resurrected().size();
                withoutWrites = max(withoutWrites, report.longestWithoutWrites());
                withoutReads = max(withoutReads, report.longestWithoutReads());
                if (!report.clean() && mode.equals("replica-required")) {
                    unclean.add("replay with -Dcampaign.seeds=" + seed + ": " + schedule + " -> " + report);
                }
            }
            table.add(String.format("| %s | %d | %d | %d | %d | %d | %d | %.1f s | %.1f s |", mode, seeds.size(), faults, operations, lost,
                    stale, resurrected, withoutWrites.toMillis() / 1000.0, withoutReads.toMillis() / 1000.0));
        }
        System.out.println("| durability | schedules | faults | operations | acknowledged writes lost | stale reads | sessions back after logout"
                + " | longest without writes | longest without reads |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        table.forEach(System.out::println);
        assertThat(unclean).as("schedules whose history is not clean under replica-required").isEmpty();
    }

    /**
     * Jepsen's case (Redis with Sentinel, 2013: 56% of acknowledged writes lost): the master cut off from its
     * replicas and the Sentinels while every instance still reaches it. The Sentinels promote a replica; writes the
     * old master takes meanwhile are thrown away when it rejoins as a replica. Run for each of
     * {@code campaign.modes} ({@code replica-required} in {@code ./mvnw verify}, all three with {@code -Pcampaign};
     * the table prints what each lost); {@code replica-required} acknowledges nothing there, so it must lose nothing.
     */
    @Test
    void jepsensPartitionOfTheMasterFromItsReplicasAndSentinelsLosesNoAcknowledgedWriteWhenReplicasAreRequired() throws Exception {
        FaultSchedule schedule = FaultSchedule.of(0, List.of(
                new FaultSchedule.Fault(Duration.ofSeconds(2), FaultSchedule.Target.MASTER, FaultSchedule.Kind.PARTITION, Duration.ofSeconds(5))));
        Map<String, History.Report> reports = new java.util.LinkedHashMap<>();
        for (String mode : modes()) {
            reports.put(mode, run(schedule, mode));
        }
        System.out.println("Jepsen's partition (" + schedule + "):");
        System.out.println("| durability | operations | acknowledged writes lost | stale reads | longest without writes | longest without reads |");
        System.out.println("|---|---|---|---|---|---|");
        reports.forEach((mode, report) -> System.out.printf("| %s | %d | %d | %d | %.1f s | %.1f s |%n", mode, report.operations(),
                report.lostWrites().size(), report.staleReads().size(), report.longestWithoutWrites().toMillis() / 1000.0,
                report.longestWithoutReads().toMillis() / 1000.0));
        if (reports.containsKey("replica-required")) {
            assertThat(reports.get("replica-required").clean()).as("replica-required: %s", reports.get("replica-required")).isTrue();
        }
    }

    private static History.Report run(FaultSchedule schedule, String mode) throws Exception {
        History history = new History();
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        try (RedisSentinelTopology redis = RedisSentinelTopology.builder().downAfter(Duration.ofSeconds(1))
                .failoverTimeout(Duration.ofSeconds(3)).appendOnly().unpromotableUntilGuarded().onHostsOfTheirOwn().start()) {
            Map<String, String> env = Map.of("REDIS_URL", redis.sentinelUri(), "SESSION_SECRET", RedisSessionStoreIT.SECRET,
                    "SESSION_ENCRYPTION_KEY", RedisSessionStoreIT.KEY_1, "SESSION_DURABILITY", mode);
            List<Instance> instances = new ArrayList<>();
            FaultSchedule.Instances faultable = new FaultSchedule.Instances() {
                @Override
                public void kill(int index) {
                    instances.get(index).kill();
                }

                @Override
                public void start(int index) {
                    instances.get(index).start();
                }

                @Override
                public void freeze(int index) {
                    instances.get(index).freeze();
                }

                @Override
                public void thaw(int index) {
                    instances.get(index).thaw();
                }

                @Override
                public void restart(int index) {
                    instances.get(index).restart();
                }
            };
            try {
                for (int i = 0; i < 3; i++) {
                    instances.add(new Instance(i + 1, env));
                }
                redis.awaitReplication(Duration.ofSeconds(30)); // the stores' guards have made the replicas promotable
                AtomicBoolean running = new AtomicBoolean(true);
                List<User> users = new ArrayList<>();
                for (int i = 0; i < USERS; i++) {
                    // Half the users keep one session all along (their reads measure read availability), half log
                    // out and in again now and then (their sessions are checked for coming back after a logout).
                    users.add(new User(history, instances, new Random(schedule.seed() * 31 + i), running, i % 2 == 0 ? 0 : 2, unexpected));
                }
                users.forEach(User::start);
                boolean settled = true;
                try {
                    for (FaultSchedule.Fault fault : schedule.faults()) {
                        Thread.sleep(fault.pause().toMillis());
                        fault.apply(redis, faultable);
                    }
                    // Usually seconds. A Sentinel killed while it leads a failover can leave the other two with two
                    // configurations of one epoch (CI, seed 2): they disagree, each "fixing" the replicas towards its own
                    // master, until a master that reports itself a replica for down-after + 20 s starts a new failover.
                    long settling = System.nanoTime();
                    redis.awaitReplication(Duration.ofSeconds(90));
                    long took = (System.nanoTime() - settling) / 1_000_000;
                    if (took > 30_000) {
                        System.out.println(schedule + ": the Sentinels took " + took + " ms to agree again" + redis.history());
                    }
                    Thread.sleep(1000);
                } catch (IllegalStateException stuck) {
                    // Liveness, not safety: the Sentinels never settled (seed 2 in CI: after three master faults and a
                    // Sentinel's restart they kept naming a dead master, the live one unknown to them). Printed; the
                    // history of what the clients saw is still checked for lost, stale and resurrected writes.
                    settled = false;
                    System.out.println(schedule + ": the Sentinels did not settle (" + String.valueOf(stuck.getMessage()).lines().findFirst().orElse("")
                            + "); the history is checked as it stands" + redis.describe() + "\n" + redis.history());
                } finally {
                    running.set(false);
                    for (User user : users) {
                        user.join();
                    }
                    history.stop();
                }
                if (settled) {
                    for (User user : users) {
                        user.finalRead(instances.get(0).store());
                    }
                }
                History.Report report = history.check();
                if (!report.clean()) {
                    System.out.println(schedule + ": not clean; Redis went through:" + redis.describe() + "\n" + redis.history());
                } else if (report.longestWithoutReads().compareTo(Duration.ofSeconds(10)) > 0) {
                    System.out.println(schedule + ": no read succeeded for " + report.longestWithoutReads().toMillis() + " ms; Redis went through:"
                            + redis.describe() + "\n" + redis.history());
                }
                assertThat(unexpected).as("%s: exceptions the users did not expect (stack traces printed above)", schedule).isEmpty();
                return report;
            } catch (RuntimeException | AssertionError e) {
                System.out.println(schedule + " failed to run: " + e + redis.describe() + "\n" + redis.history());
                throw e;
            } finally {
                instances.forEach(Instance::close);
            }
        }
    }

    private static List<String> modes() {
        return List.of(System.getProperty("campaign.modes", "replica-required").split(","));
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One user: logs in, then reads and counts visits, each request on an instance drawn at random among those that
     * serve (as nginx spreads them, and tries the next upstream when one refuses the connection), and logs out and
     * in again in {@code logoutPercent} of its requests. Each session is a key of the history; its counter is the
     * visit count. An exception it does not expect goes into {@code unexpected}, and the user stops.
     */
    private static final class User extends Thread {
        private final History history;
        private final List<Instance> instances;
        private final Random random;
        private final AtomicBoolean running;
        private final int logoutPercent;
        private final List<Throwable> unexpected;
        private final List<String> cookies = new ArrayList<>();
        private @Nullable String cookie;

        User(History history, List<Instance> instances, Random random, AtomicBoolean running, int logoutPercent, List<Throwable> unexpected) {
            super("campaign-user");
            setDaemon(true);
            this.history = history;
            this.instances = instances;
            this.random = random;
            this.running = running;
            this.logoutPercent = logoutPercent;
            this.unexpected = unexpected;
        }

        @Override
        public void run() {
            while (running.get()) {
                Instance instance = anyServing();
                if (instance == null) {
                    pause(20); // nginx: no upstream left (502)
                    continue;
                }
                try {
                    if (cookie == null) {
                        login(instance);
                    } else {
                        int dice = random.nextInt(100);
                        if (dice < logoutPercent) {
                            logout(instance);
                        } else if (dice < 50) {
                            read(instance);
                        } else {
                            visit(instance);
                        }
                    }
                } catch (SessionStoreUnavailableException | Instance.Gone e) {
                    pause(20);
                } catch (RuntimeException | Error e) {
                    System.out.println(getName() + " stopped on an exception it did not expect:");
                    e.printStackTrace(System.out);
                    unexpected.add(e);
                    return;
                }
            }
        }

        /** An instance that serves, drawn at random; null when none does. */
        private @Nullable Instance anyServing() {
            List<Instance> serving = instances.stream().filter(Instance::serves).toList();
            return serving.isEmpty() ? null : serving.get(random.nextInt(serving.size()));
        }

        private void login(Instance instance) {
            Session session = instance.call(SessionStore::create);
            session.set("visits", 0L);
            String key = instance.call(store -> store.cookieValue(session));
            long op = history.invoke(key, History.Kind.WRITE, 0L);
            save(instance, session, op, 0);
            cookie = key;
            cookies.add(key);
        }

        private void read(Instance instance) {
            String key = java.util.Objects.requireNonNull(cookie, "a logged-in user");
            long op = history.invoke(key, History.Kind.READ, null);
            try {
                Long value = instance.call(store -> store.load(key)).get("visits", Long.class);
                history.ok(op, value);
                if (value == null) {
                    cookie = null; // logged out under us (or lost): log in again
                }
            } catch (SessionStoreUnavailableException | Instance.Gone e) {
                history.fail(op, reason(e));
                throw e;
            }
        }

        private void visit(Instance instance) {
            String key = java.util.Objects.requireNonNull(cookie, "a logged-in user");
            long readOp = history.invoke(key, History.Kind.READ, null);
            Session session;
            try {
                session = instance.call(store -> store.load(key));
            } catch (SessionStoreUnavailableException | Instance.Gone e) {
                history.fail(readOp, reason(e));
                throw e;
            }
            Long value = session.get("visits", Long.class);
            history.ok(readOp, value);
            if (value == null) {
                cookie = null;
                return;
            }
            session.set("visits", value + 1);
            long op = history.invoke(key, History.Kind.WRITE, value + 1);
            save(instance, session, op, value + 1);
        }

        /**
         * Saves, recording the outcome: refused before writing (by the store, or by an instance that no longer
         * served) is a failure, any other error unknown (an instance killed during the save may have written it).
         */
        private void save(Instance instance, Session session, long op, long value) {
            try {
                instance.run(store -> store.save(session));
                history.ok(op, value);
            } catch (SessionStoreUnavailableException e) {
                if (reason(e).contains("nothing was written")) {
                    history.fail(op, reason(e));
                } else {
                    history.unknown(op, reason(e));
                }
                throw e;
            } catch (Instance.Gone e) {
                if (e.refused()) {
                    history.fail(op, reason(e));
                } else {
                    history.unknown(op, reason(e));
                }
                throw e;
            }
        }

        private void logout(Instance instance) {
            String key = java.util.Objects.requireNonNull(cookie, "a logged-in user");
            long op = history.invoke(key, History.Kind.LOGOUT, null);
            try {
                Session session = instance.call(store -> store.load(key));
                instance.run(store -> store.invalidate(session));
                history.ok(op, null);
            } catch (SessionStoreUnavailableException | Instance.Gone e) {
                history.unknown(op, reason(e));
                throw e;
            } finally {
                cookie = null;
            }
        }

        /** After the faults healed: one read of every session this user had, from the master. */
        void finalRead(SessionStore store) {
            for (String key : cookies) {
                long op = history.invoke(key, History.Kind.READ, null);
                try {
                    history.ok(op, store.load(key).get("visits", Long.class));
                } catch (SessionStoreUnavailableException e) {
                    history.fail(op, reason(e));
                }
            }
        }

        /** Why a request failed, with numbers and addresses left out, so that like failures count together. */
        private static String reason(RuntimeException e) {
            String reason;
            if (e instanceof Instance.Gone gone) {
                reason = gone.getMessage() + (gone.getCause() == null ? "" : ": " + describe(gone.getCause()));
            } else {
                reason = e.getCause() == null ? e.getMessage() : describe(e.getCause());
            }
            return String.valueOf(reason).replaceAll("[0-9]+", "N").lines().findFirst().orElse("");
        }

        private static String describe(Throwable cause) {
            return cause.getClass().getSimpleName() + ": " + cause.getMessage();
        }
    }

    /**
     * One instance of the service behind nginx: its store, opened from {@code env}; users' requests reach the store
     * through {@link #call} and {@link #run}, one store call each. Killed, it closes its store at once (its calls in
     * flight end with whatever the store or Lettuce then throws) and refuses calls until started again, with a
     * store opened anew; restarted, it refuses new calls, waits for those in flight (at most {@link #DRAIN}), closes
     * its store and opens a new one.
     *
     * <p>A freeze stops the calls that reach the instance afterwards: they wait until it is thawed, as the requests
     * nginx sends a SIGSTOPped process wait (nginx's proxy timeout, 60 s, is far above a freeze's 1-4 s, so the
     * user just waits). Limit, in this JVM: calls already inside the store go on, and Lettuce's threads (its event
     * loop, reconnects, the promotion guard) are not stopped, as a real SIGSTOP would stop them.
     */
    private static final class Instance {
        private static final Duration DRAIN = Duration.ofSeconds(10);
        /** A store that cannot reach the Sentinels at start fails; a real instance would be started again until it could. */
        private static final Duration OPEN_WITHIN = Duration.ofSeconds(30);

        private final int number;
        private final Map<String, String> env;
        private final AtomicInteger inFlight = new AtomicInteger();
        private volatile SessionStores.@Nullable Opened opened; // null while killed
        private volatile boolean serving;
        private volatile @Nullable CountDownLatch frozen; // null unless frozen
        private int generation; // guarded by this; raised whenever the store is closed, so that calls in flight see it

        Instance(int number, Map<String, String> env) {
            this.number = number;
            this.env = env;
            this.opened = open();
            this.serving = true;
        }

        boolean serves() {
            return serving;
        }

        /** The current store (for the final read, once every fault is over). */
        SessionStore store() {
            return java.util.Objects.requireNonNull(opened, "a serving instance").store();
        }

        /**
         * {@code request} on this instance's store.
         *
         * @throws Gone when the instance no longer serves, or was killed during the call and the call ended with an
         *     exception other than {@link SessionStoreUnavailableException}
         */
        <T> T call(Function<SessionStore, T> request) {
            inFlight.incrementAndGet(); // before serving is checked: a restart that marked it not serving waits for us
            try {
                SessionStores.Opened used;
                int generationUsed;
                synchronized (this) {
                    if (!serving) {
                        throw new Gone(this + " refused the request", null, true);
                    }
                    used = java.util.Objects.requireNonNull(opened, "a serving instance has a store");
                    generationUsed = generation;
                }
                awaitThaw();
                try {
                    return request.apply(used.store());
                } catch (SessionStoreUnavailableException e) {
                    throw e;
                } catch (RuntimeException e) {
                    if (closedSince(generationUsed)) {
                        throw new Gone(this + " was killed during the request", e, false);
                    }
                    throw e;
                }
            } finally {
                inFlight.decrementAndGet();
            }
        }

        /** As {@link #call}, for a request that returns nothing. */
        void run(Consumer<SessionStore> request) {
            call(store -> {
                request.accept(store);
                return Boolean.TRUE;
            });
        }

        void kill() {
            SessionStores.@Nullable Opened killed;
            synchronized (this) {
                serving = false;
                generation++;
                killed = opened;
                opened = null;
            }
            if (killed != null) {
                killed.close();
            }
        }

        void start() {
            SessionStores.Opened started = open();
            synchronized (this) {
                opened = started;
                serving = true;
            }
        }

        void freeze() {
            frozen = new CountDownLatch(1);
        }

        void thaw() {
            CountDownLatch gate = frozen;
            frozen = null;
            if (gate != null) {
                gate.countDown();
            }
        }

        /** Gracefully, and returns once the instance serves again. */
        void restart() {
            synchronized (this) {
                serving = false;
            }
            long deadline = System.nanoTime() + DRAIN.toNanos();
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                pause(10);
            }
            if (inFlight.get() > 0) {
                System.out.println(this + ": " + inFlight.get() + " calls still in flight after " + DRAIN.toSeconds() + " s; stopped under them");
            }
            SessionStores.@Nullable Opened stopped;
            synchronized (this) {
                generation++;
                stopped = opened;
                opened = null;
            }
            if (stopped != null) {
                stopped.close();
            }
            start();
        }

        /** At the end of a run: closes the current store, if any. */
        void close() {
            SessionStores.@Nullable Opened current;
            synchronized (this) {
                serving = false;
                current = opened;
                opened = null;
            }
            if (current != null) {
                current.close();
            }
        }

        private synchronized boolean closedSince(int generationUsed) {
            return generation != generationUsed;
        }

        private void awaitThaw() {
            CountDownLatch gate = frozen;
            if (gate != null) {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while " + this + " was frozen", e);
                }
            }
        }

        private SessionStores.Opened open() {
            long deadline = System.nanoTime() + OPEN_WITHIN.toNanos();
            while (true) {
                try {
                    return SessionStores.fromEnvironment(env, SessionCodec.allowing());
                } catch (SessionStoreUnavailableException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    pause(200);
                }
            }
        }

        @Override
        public String toString() {
            return "instance " + number;
        }

        /** The instance refused a call (it no longer served) or was killed during it. */
        static final class Gone extends RuntimeException {
            private final boolean refused;

            Gone(String message, @Nullable Throwable cause, boolean refused) {
                super(message, cause);
                this.refused = refused;
            }

            /** Whether the call never reached the store. */
            boolean refused() {
                return refused;
            }
        }
    }
}
