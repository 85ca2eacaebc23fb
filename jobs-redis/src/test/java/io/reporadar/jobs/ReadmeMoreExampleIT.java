package io.reporadar.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reporadar.testing.ReadmeExamples;
import io.reporadar.testing.RedisExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ReadmeMoreExampleIT {

    @RegisterExtension
    static final RedisExtension redisServer = RedisExtension.shared();

    @Test
    void theReadmeShowsTheExampleBelowAndItRuns() {
        ReadmeExamples.assertReadmeShows(Path.of("README.md"), Path.of("src/test/java/io/reporadar/jobs/ReadmeMoreExampleIT.java"));
        try (Fixture fx = new Fixture(redisServer.uri())) {
            JobQueue queue = fx.queue(Fixture.queueName("readme-more")).backoff(Duration.ofMillis(10)).build();
            AtomicBoolean broken = new AtomicBoolean(true);
            JobWorker worker = fx.closeLater(JobWorker.builder(queue).drainTimeout(Duration.ofSeconds(2)).handle("batch-analysis", (job, context) -> {
                if (broken.get()) {
                    throw new IllegalStateException("GitHub answered 502");
                }
            }).build().start());
            JobId broke = queue.enqueue(Job.of("batch-analysis", "{}").maxAttempts(1)).id();
            await().atMost(Duration.ofSeconds(15)).until(() -> queue.get(broke).orElseThrow().state() == JobInfo.State.FAILED);
            broken.set(false);
            String json = "{\"repos\":[\"reporadar/scale-kit\"]}";

            // README example begins
            List<JobInfo> batch = queue.enqueueAll(List.of(Job.of("batch-analysis", json).id("analysis-1"),   // many jobs, few round trips,
                    Job.of("batch-analysis", json).id("analysis-2")));                                          // each as enqueue would
            JobInfo later = queue.enqueue(Job.of("batch-analysis", json).delay(Duration.ofSeconds(30)).maxAttempts(5));
            queue.cancel(later.id());                        // waiting or delayed: CANCELLED at once; running: asked to stop
            for (JobInfo failed : queue.failed(100)) {       // the jobs that failed for good, newest first
                queue.retry(failed.id());                    // runs again, its attempts back to 0
            }
            JobQueue.Counts counts = queue.counts();         // waiting, delayed, active, completed, failed, cancelled
            JobWorker.Stats stats = worker.stats();          // completed, retried, failed, handed back, refused writes, takeovers...
            // README example ends

            assertThat(batch).extracting(job -> job.id().value()).containsExactly("analysis-1", "analysis-2");
            assertThat(queue.get(later.id()).orElseThrow().state()).isEqualTo(JobInfo.State.CANCELLED);
            assertThat(counts.failed()).isZero();
            assertThat(counts.cancelled()).isEqualTo(1);
            assertThat(stats.failed()).isBetween(0L, 1L);
            await().atMost(Duration.ofSeconds(15)).until(() -> worker.stats().failed() == 1);
            await().atMost(Duration.ofSeconds(15)).until(() -> queue.get(broke).orElseThrow().state() == JobInfo.State.COMPLETED);
        }
    }
}
