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
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A randomized fault campaign against the session store on a master, two replicas and three Sentinels, each on a
 * host of its own (a network namespace; down-after 1 s; append-only files; every node started unpromotable, as
 * the deployment guide runs them, and made promotable by the stores' promotion guard once it streams): seeded
 * schedules of kill -9, SIGSTOP/SIGCONT, restarts and network partitions (a node cut off from the other nodes and
 * Sentinels, clients still reaching it) of the master, the replicas and the Sentinels, while three stores (three
 * instances, in this JVM, which no partition cuts) serve six users who log in, read, count visits and log out.
 * Every operation goes into a {@link History}, which is judged at the end: acknowledged writes lost, reads back
 * in time, sessions back after an acknowledged logout.
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
        List<Long> seeds = seeds();
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
        try (RedisSentinelTopology redis = RedisSentinelTopology.builder().downAfter(Duration.ofSeconds(1))
                .failoverTimeout(Duration.ofSeconds(3)).appendOnly().unpromotableUntilGuarded().onHostsOfTheirOwn().start()) {
            List<SessionStores.Opened> instances = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    instances.add(SessionStores.fromEnvironment(Map.of("REDIS_URL", redis.sentinelUri(), "SESSION_SECRET",
                            RedisSessionStoreIT.SECRET, "SESSION_ENCRYPTION_KEY", RedisSessionStoreIT.KEY_1, "SESSION_DURABILITY", mode),
                            SessionCodec.allowing()));
                }
                redis.awaitReplication(Duration.ofSeconds(30)); // the stores' guards have made the replicas promotable
                AtomicBoolean running = new AtomicBoolean(true);
                List<User> users = new ArrayList<>();
                for (int i = 0; i < USERS; i++) {
                    // Half the users keep one session all along (their reads measure read availability), half log
                    // out and in again now and then (their sessions are checked for coming back after a logout).
                    users.add(new User(history, instances, new Random(schedule.seed() * 31 + i), running, i % 2 == 0 ? 0 : 2));
                }
                users.forEach(User::start);
                boolean settled = true;
                try {
                    for (FaultSchedule.Fault fault : schedule.faults()) {
                        Thread.sleep(fault.pause().toMillis());
                        fault.apply(redis);
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
                    System.out.println(schedule + ": the Sentinels did not settle (" + stuck.getMessage().lines().findFirst().orElse("")
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
                }
                return report;
            } catch (RuntimeException | AssertionError e) {
                System.out.println(schedule + " failed to run: " + e + redis.describe() + "\n" + redis.history());
                throw e;
            } finally {
                instances.forEach(SessionStores.Opened::close);
            }
        }
    }

    private static List<String> modes() {
        return List.of(System.getProperty("campaign.modes", "replica-required").split(","));
    }

    private static List<Long> seeds() {
        String given = System.getProperty("campaign.seeds");
        if (given != null && !given.isBlank()) {
            return java.util.Arrays.stream(given.split(",")).map(String::strip).map(Long::parseLong).toList();
        }
        int count = Integer.getInteger("campaign.schedules", 3);
        List<Long> seeds = new ArrayList<>();
        for (long seed = 1; seed <= count; seed++) {
            seeds.add(seed);
        }
        return seeds;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /**
     * One user: logs in, then reads and counts visits, each request on an instance drawn at random (as nginx
     * would spread them), and logs out and in again in {@code logoutPercent} of its requests. Each session is a
     * key of the history; its counter is the visit count.
     */
    private static final class User extends Thread {
        private final History history;
        private final List<SessionStores.Opened> instances;
        private final Random random;
        private final AtomicBoolean running;
        private final int logoutPercent;
        private final List<String> cookies = new ArrayList<>();
        private String cookie;

        User(History history, List<SessionStores.Opened> instances, Random random, AtomicBoolean running, int logoutPercent) {
            super("campaign-user");
            setDaemon(true);
            this.history = history;
            this.instances = instances;
            this.random = random;
            this.running = running;
            this.logoutPercent = logoutPercent;
        }

        @Override
        public void run() {
            while (running.get()) {
                SessionStore store = instances.get(random.nextInt(instances.size())).store();
                try {
                    if (cookie == null) {
                        login(store);
                    } else {
                        int dice = random.nextInt(100);
                        if (dice < logoutPercent) {
                            logout(store);
                        } else if (dice < 50) {
                            read(store);
                        } else {
                            visit(store);
                        }
                    }
                } catch (SessionStoreUnavailableException e) {
                    pause(20);
                }
            }
        }

        private void login(SessionStore store) {
            Session session = store.create();
            session.set("visits", 0L);
            String key = store.cookieValue(session);
            long op = history.invoke(key, History.Kind.WRITE, 0L);
            save(store, session, op, 0);
            cookie = key;
            cookies.add(key);
        }

        private void read(SessionStore store) {
            long op = history.invoke(cookie, History.Kind.READ, null);
            try {
                Long value = store.load(cookie).get("visits", Long.class);
                history.ok(op, value);
                if (value == null) {
                    cookie = null; // logged out under us (or lost): log in again
                }
            } catch (SessionStoreUnavailableException e) {
                history.fail(op, reason(e));
                throw e;
            }
        }

        private void visit(SessionStore store) {
            String key = cookie;
            long readOp = history.invoke(key, History.Kind.READ, null);
            Session session;
            try {
                session = store.load(key);
            } catch (SessionStoreUnavailableException e) {
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
            save(store, session, op, value + 1);
        }

        /** Saves, recording the outcome: refused before writing is a failure, any other error unknown. */
        private void save(SessionStore store, Session session, long op, long value) {
            try {
                store.save(session);
                history.ok(op, value);
            } catch (SessionStoreUnavailableException e) {
                if (reason(e).contains("nothing was written")) {
                    history.fail(op, reason(e));
                } else {
                    history.unknown(op, reason(e));
                }
                throw e;
            }
        }

        private void logout(SessionStore store) {
            long op = history.invoke(cookie, History.Kind.LOGOUT, null);
            try {
                store.invalidate(store.load(cookie));
                history.ok(op, null);
            } catch (SessionStoreUnavailableException e) {
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

        /** The cause's message with numbers and addresses left out, so that like failures count together. */
        private static String reason(SessionStoreUnavailableException e) {
            String cause = e.getCause() == null ? e.getMessage() : e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage();
            return String.valueOf(cause).replaceAll("[0-9]+", "N").lines().findFirst().orElse("");
        }

        private static void pause(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
