package io.reporadar.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.reporadar.jobs.JobId;
import io.reporadar.jobs.JobInfo;
import io.reporadar.jobs.JobQueue;
import io.reporadar.session.KeyRing;
import io.reporadar.session.SessionRedis;
import io.reporadar.testing.PostgresDatabase;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;

/**
 * The jobs a drill enqueues through nginx, and what became of them: every acknowledged job completed, exactly one
 * run of each returned, and no two runs of a job overlapped (read from the demo's {@code job_runs} table, which the
 * instances write with PostgreSQL's clock). Not thread-safe, except {@link #enqueueUntilStopped}'s thread.
 */
final class JobLedger implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DrillTopology topology;
    private final String cookie;
    private final PostgresDatabase database;
    private final SessionRedis redis;
    private final JobQueue queue;
    private final List<String> acknowledged = new CopyOnWriteArrayList<>();
    private final AtomicInteger refused = new AtomicInteger();
    private volatile boolean enqueueing;
    private @Nullable Thread enqueuer;

    private JobLedger(DrillTopology topology, String cookie, PostgresDatabase database, SessionRedis redis, JobQueue queue) {
        this.topology = topology;
        this.cookie = cookie;
        this.database = database;
        this.redis = redis;
        this.queue = queue;
    }

    /**
     * Logs {@code username} in through the front with {@code repos} repositories on the watchlist (each is one
     * {@code JOBS_STEP} of a batch analysis), and opens the queue the instances share (to read the jobs' states).
     */
    static JobLedger open(DrillTopology topology, String username, int repos, PostgresDatabase database, String redisUrl,
            Map<String, String> environment) throws Exception {
        String cookie = SteadyLoad.login(topology.front(), username);
        for (int i = 0; i < repos; i++) {
            HttpResponse<String> added = topology.send("POST", "/api/watchlist", cookie, "{\"repo\":\"drill/repo-" + i + "\"}");
            assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        }
        SessionRedis redis = SessionRedis.connect(redisUrl, Duration.ofSeconds(1), Duration.ofSeconds(2));
        return new JobLedger(topology, cookie, database, redis,
                JobQueue.builder(redis, DemoJobs.QUEUE, KeyRing.fromEnvironment(environment)).build());
    }

    /** Posts {@code count} batch analyses through the front; every one must be acknowledged (202). */
    List<String> enqueue(int count) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            HttpResponse<String> posted = post();
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
            ids.add(JSON.readTree(posted.body()).get("id").asText());
        }
        acknowledged.addAll(ids);
        return ids;
    }

    /** Posts batch analyses back to back on a thread until {@link #stopEnqueueing()}; counts the refused ones. */
    void enqueueUntilStopped() {
        enqueueing = true;
        Thread thread = new Thread(() -> {
            while (enqueueing) {
                try {
                    HttpResponse<String> posted = post();
                    if (posted.statusCode() == 202) {
                        acknowledged.add(JSON.readTree(posted.body()).get("id").asText());
                    } else {
                        refused.incrementAndGet();
                        InstanceProcess.sleep(50);
                    }
                } catch (Exception e) {
                    refused.incrementAndGet();
                    InstanceProcess.sleep(50);
                }
            }
        }, "job-enqueuer");
        enqueuer = thread;
        thread.start();
    }

    /** Stops {@link #enqueueUntilStopped}; how many posts were acknowledged and refused. */
    String stopEnqueueing() throws InterruptedException {
        enqueueing = false;
        Thread thread = enqueuer;
        if (thread != null) {
            thread.join(10_000);
        }
        return acknowledged.size() + " enqueues acknowledged, " + refused.get() + " refused";
    }

    private HttpResponse<String> post() throws Exception {
        return topology.send("POST", "/api/jobs", cookie, "{\"type\":\"batch-analysis\"}");
    }

    /** Waits until every acknowledged job is finished, then checks that each completed. */
    void awaitAllCompleted(Duration atMost) {
        Awaitility.await("all " + acknowledged.size() + " jobs finished").atMost(atMost).pollInterval(Duration.ofMillis(500))
                .until(() -> acknowledged.stream().allMatch(id -> queue.get(JobId.of(id)).map(job -> job.state().isFinished()).orElse(true)));
        for (String id : acknowledged) {
            assertThat(queue.get(JobId.of(id))).as("acknowledged job " + id)
                    .hasValueSatisfying(job -> assertThat(job.state()).as(job.toString()).isEqualTo(JobInfo.State.COMPLETED));
        }
    }

    /**
     * Every acknowledged job ran to its end exactly once, and no two runs of one job overlapped. A run with no end is
     * allowed only on {@code killed} (an instance killed at {@code killedAt}): it ended then.
     *
     * @return the number of runs recorded
     */
    int assertRanOnceAndNeverTwiceAtOnce(@Nullable String killed, @Nullable Instant killedAt) throws SQLException {
        try (Connection connection = database.connect()) {
            String ids = "SELECT unnest(?::text[])";
            try (PreparedStatement returned = connection.prepareStatement("SELECT j.id, count(r.id) FILTER (WHERE r.ended = 'returned')"
                    + " FROM (" + ids + " AS id) j LEFT JOIN job_runs r ON r.job_id = j.id GROUP BY j.id HAVING count(r.id) FILTER (WHERE r.ended = 'returned') <> 1")) {
                returned.setArray(1, connection.createArrayOf("text", acknowledged.toArray()));
                assertThat(rows(returned)).as("jobs whose runs did not return exactly once").isEmpty();
            }
            try (PreparedStatement open = connection.prepareStatement("SELECT job_id || ' on ' || instance_id FROM job_runs"
                    + " WHERE job_id IN (" + ids + ") AND ended_at IS NULL AND instance_id IS DISTINCT FROM ?")) {
                open.setArray(1, connection.createArrayOf("text", acknowledged.toArray()));
                open.setString(2, killed);
                assertThat(rows(open)).as("runs with no end on a live instance").isEmpty();
            }
            Timestamp end = killedAt == null ? Timestamp.from(Instant.parse("9999-01-01T00:00:00Z")) : Timestamp.from(killedAt);
            try (PreparedStatement overlap = connection.prepareStatement("SELECT a.job_id || ': ' || a.instance_id || ' and ' || b.instance_id"
                    + " FROM job_runs a JOIN job_runs b ON a.job_id = b.job_id AND a.id < b.id WHERE a.job_id IN (" + ids + ")"
                    + " AND a.started_at < coalesce(b.ended_at, ?) AND b.started_at < coalesce(a.ended_at, ?)")) {
                overlap.setArray(1, connection.createArrayOf("text", acknowledged.toArray()));
                overlap.setTimestamp(2, end);
                overlap.setTimestamp(3, end);
                assertThat(rows(overlap)).as("runs of one job that overlapped").isEmpty();
            }
            try (PreparedStatement count = connection.prepareStatement("SELECT count(*)::text FROM job_runs WHERE job_id IN (" + ids + ")")) {
                count.setArray(1, connection.createArrayOf("text", acknowledged.toArray()));
                return Integer.parseInt(rows(count).get(0));
            }
        }
    }

    /**
     * How long after {@code killedAt} the jobs the killed instance held started again elsewhere: the longest wait,
     * and how many jobs it held.
     */
    Takeover takeover(String killed, Instant killedAt) throws SQLException {
        try (Connection connection = database.connect();
             PreparedStatement select = connection.prepareStatement("SELECT r.job_id, min(n.started_at) FROM job_runs r"
                     + " JOIN job_runs n ON n.job_id = r.job_id AND n.id > r.id WHERE r.instance_id = ? AND r.ended_at IS NULL"
                     + " AND r.job_id IN (SELECT unnest(?::text[])) GROUP BY r.job_id")) {
            select.setString(1, killed);
            select.setArray(2, connection.createArrayOf("text", acknowledged.toArray()));
            Duration longest = Duration.ZERO;
            int jobs = 0;
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    jobs++;
                    Duration wait = Duration.between(killedAt, rows.getTimestamp(2).toInstant());
                    longest = wait.compareTo(longest) > 0 ? wait : longest;
                }
            }
            return new Takeover(jobs, longest);
        }
    }

    /** The jobs a killed instance held, and how long the last of them waited to start again elsewhere. */
    record Takeover(int jobs, Duration longest) {
    }

    int size() {
        return acknowledged.size();
    }

    private static List<String> rows(PreparedStatement statement) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (ResultSet result = statement.executeQuery()) {
            while (result.next()) {
                rows.add(result.getString(1));
            }
        }
        return rows;
    }

    @Override
    public void close() {
        try {
            stopEnqueueing();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            redis.close();
        }
    }
}
