package io.reporadar.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reporadar.core.DaemonThreads;
import io.reporadar.testing.ReadmeExamples;
import io.reporadar.testing.RedisExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ReadmeDrainExampleIT {

    @RegisterExtension
    static final RedisExtension redisServer = RedisExtension.shared();

    @Test
    void theReadmeShowsTheExampleBelowAndItRuns() throws Exception {
        ReadmeExamples.assertReadmeShows(Path.of("README.md"), Path.of("src/test/java/io/reporadar/jobs/ReadmeDrainExampleIT.java"));
        try (Fixture fx = new Fixture(redisServer.uri())) {
            JobQueue queue = fx.queue(Fixture.queueName("readme-drain")).build();
            CountDownLatch started = new CountDownLatch(1);
            JobWorker worker = JobWorker.builder(queue).handle("slow", (job, context) -> {
                started.countDown();
                Thread.sleep(500);
            }).build().start();
            JobId id = queue.enqueue(Job.of("slow", "x")).id();
            started.await();

            // README example begins
            Runnable drainJobs = () -> DaemonThreads.thread("jobs-drain", () -> worker.drain(Duration.ofSeconds(15))).start();
            AutoCloseable stopJobs = worker;   // close(): waits for a drain under way (or drains), then stops renewing leases
            // README example ends

            drainJobs.run();
            await().atMost(Duration.ofSeconds(5)).until(() -> queue.get(id).orElseThrow().state() == JobInfo.State.COMPLETED);
            stopJobs.close();
            assertThat(worker.drain(Duration.ZERO)).isEqualTo(new JobWorker.Drained(1, 0, 0));
        }
    }
}
