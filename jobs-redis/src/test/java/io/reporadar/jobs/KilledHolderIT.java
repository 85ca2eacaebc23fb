package io.reporadar.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reporadar.jobs.JobInfo.State;
import io.reporadar.session.SessionRedis;
import io.reporadar.testing.RedisExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** An instance killed with SIGKILL while it holds jobs: another takes them over within the lease plus a second. */
class KilledHolderIT {

    private static final Duration LEASE = Duration.ofSeconds(2);

    @RegisterExtension
    static final RedisExtension redisServer = RedisExtension.perClass();

    @Test
    void theJobsOfAKilledInstanceAreTakenOverWithinTheirLeasePlusASecondAndCompletedOnce(@TempDir Path logs) throws Exception {
        try (Fixture fx = new Fixture(redisServer.uri())) {
            String name = Fixture.queueName("killed");
            JobQueue queue = fx.queue(name).build();
            Set<JobId> ids = new HashSet<>();
            for (int i = 1; i <= 3; i++) {
                ids.add(queue.enqueue(Job.of("work", "x").id("killed-" + i)).id());
            }
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process holder = new ProcessBuilder(List.of(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
                    System.getProperty("java.class.path"), Holder.class.getName(), redisServer.uri(), name, Long.toString(LEASE.toMillis())))
                    .redirectError(logs.resolve("holder.log").toFile()).start();
            long killedAt;
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
                Set<String> running = new HashSet<>();
                while (running.size() < 3) {
                    String line = out.readLine();
                    assertThat(line).as("the holder JVM reports the jobs it runs (log: %s)", logs.resolve("holder.log")).isNotNull();
                    if (line.startsWith("running ")) {
                        running.add(line.substring(8));
                    }
                }
                assertThat(queue.counts().active()).isEqualTo(3);
            } finally {
                holder.destroyForcibly(); // SIGKILL: no drain, no hand-back, leases left to expire
                holder.waitFor(30, TimeUnit.SECONDS);
                killedAt = System.nanoTime();
            }

            Map<JobId, Long> startedAt = new ConcurrentHashMap<>();
            JobWorker taker = fx.closeLater(JobWorker.builder(queue).lease(LEASE).drainTimeout(Duration.ofSeconds(2))
                    .handle("work", (job, context) -> startedAt.put(context.id(), System.nanoTime())).build().start());

            await().atMost(Duration.ofSeconds(20)).until(() -> queue.counts().completed() == 3);
            for (JobId id : ids) {
                long takeoverMillis = TimeUnit.NANOSECONDS.toMillis(Objects.requireNonNull(startedAt.get(id), id + " never ran") - killedAt);
                assertThat(takeoverMillis).as("%s taken over within lease + 1 s", id).isLessThanOrEqualTo(LEASE.toMillis() + 1000);
                JobInfo done = queue.get(id).orElseThrow();
                assertThat(done.state()).isEqualTo(State.COMPLETED);
                assertThat(done.attempts()).isEqualTo(2);
            }
            assertThat(taker.stats().takeovers()).isEqualTo(3);
            await().atMost(Duration.ofSeconds(20)).until(() -> taker.stats().completed() == 3);
        }
    }

    /** An instance that takes jobs, says so on stdout, and runs them until it is killed. */
    public static final class Holder {
        public static void main(String[] args) throws InterruptedException {
            SessionRedis redis = SessionRedis.connect(args[0], Duration.ofSeconds(1), Duration.ofSeconds(2));
            JobQueue queue = JobQueue.builder(redis, args[1], Fixture.KEYS).build();
            JobWorker.builder(queue).concurrency(3).lease(Duration.ofMillis(Long.parseLong(args[2]))).handle("work", (job, context) -> {
                System.out.println("running " + context.id());
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE);
            }).build().start();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
