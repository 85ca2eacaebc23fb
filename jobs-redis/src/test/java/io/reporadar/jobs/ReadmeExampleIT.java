package io.reporadar.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.session.KeyRing;
import io.reporadar.session.SessionRedis;
import io.reporadar.testing.ReadmeExamples;
import io.reporadar.testing.RedisExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ReadmeExampleIT {

    @RegisterExtension
    static final RedisExtension redisServer = RedisExtension.shared();

    @Test
    void theReadmeShowsTheExampleBelowAndItRuns() throws Exception {
        ReadmeExamples.assertReadmeShows(Path.of("README.md"), Path.of("src/test/java/io/reporadar/jobs/ReadmeExampleIT.java"));
        Map<String, String> env = Map.of("REDIS_URL", redisServer.uri(), "SESSION_ENCRYPTION_KEY", Fixture.KEY_HEX);
        List<String> exports = new CopyOnWriteArrayList<>();
        JobWorker.Drained drained;

        // README example begins
        KeyRing keys = KeyRing.fromEnvironment(env);   // SESSION_ENCRYPTION_KEY(_PREVIOUS): payloads are encrypted
        try (SessionRedis redis = SessionRedis.connect(env.get("REDIS_URL"), Duration.ofSeconds(1), Duration.ofSeconds(2));
             SessionRedis blocking = redis.openAnother()) {   // for the worker to wait on: jobs start within milliseconds
            JobQueue queue = JobQueue.builder(redis, "reporadar-jobs", keys).build();   // refuses an evicting Redis

            JobWorker worker = JobWorker.builder(queue)
                    .handle("export", (job, context) -> {
                        context.progress(50);                  // visible through queue.get
                        if (context.cancelled()) {
                            return;                            // recorded as CANCELLED
                        }
                        exports.add(job.payloadText());
                    })
                    .concurrency(5)                            // jobs at once on this instance
                    .lease(Duration.ofSeconds(15))             // after a kill, another instance takes over within 16 s
                    .blockingConnection(blocking)              // else jobs enqueued elsewhere wait for the next poll
                    .build()
                    .start();

            JobInfo job = queue.enqueue(Job.of("export", "{\"format\":\"csv\"}").id("export-user-42"));   // idempotent
            while (!queue.get(job.id()).orElseThrow().state().isFinished()) {   // state, attempts, progress, error
                Thread.sleep(50);
            }
            drained = worker.drain(Duration.ofSeconds(20));   // at shutdown: stop taking jobs, finish or hand back
        }
        // README example ends

        assertThat(exports).containsExactly("{\"format\":\"csv\"}");
        assertThat(drained).isEqualTo(new JobWorker.Drained(0, 0, 0));
    }
}
