package io.reporadar.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reporadar.jobs.Job;
import io.reporadar.jobs.JobContext;
import io.reporadar.jobs.JobHandler;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's two job types. {@code batch-analysis} analyses each repository of a user's watchlist (simulated and
 * deterministic: the same repository always gets the same figures, with no network), reporting progress after each;
 * {@code export} writes the analysed watchlist as CSV or JSON. Both store their output as the job's result and record
 * every run in {@link JobRecords}; both stop at a cancel.
 *
 * <p>The payload, written by {@link #payload}, is {@code {"username":..., "repos":[...], "format":...}}: the
 * watchlist as it was at enqueue. Thread-safe.
 */
final class RepoJobs {

    static final String BATCH_ANALYSIS = "batch-analysis";
    static final String EXPORT = "export";

    private static final Logger LOG = LoggerFactory.getLogger(RepoJobs.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] LANGUAGES = {"Java", "Go", "Rust", "TypeScript", "Python", "C", "Kotlin", "Ruby"};

    private final JobRecords records;
    private final String instanceId;
    private final Duration step;

    /** @param step the simulated work per repository ({@code JOBS_STEP}) */
    RepoJobs(JobRecords records, String instanceId, Duration step) {
        this.records = records;
        this.instanceId = instanceId;
        this.step = step;
    }

    /** The payload of a job of {@code username} over {@code repos}; {@code format} for exports only. */
    static String payload(String username, List<String> repos, String format) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("username", username);
        payload.put("repos", repos);
        payload.put("format", format);
        try {
            return JSON.writeValueAsString(payload);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a payload of strings did not serialise", e);
        }
    }

    JobHandler batchAnalysis() {
        return (job, context) -> run(job, context, (payload, analyses) -> {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("analyzed", analyses.size());
            report.put("averageScore", analyses.stream().mapToInt(a -> (Integer) a.get("score")).average().orElse(0));
            report.put("repos", analyses);
            report.put("instance", instanceId);
            return JSON.writeValueAsString(report);
        });
    }

    JobHandler export() {
        return (job, context) -> run(job, context, (payload, analyses) -> {
            if ("csv".equals(payload.path("format").asText())) {
                StringBuilder csv = new StringBuilder("repo,score,stars,open_issues,language\n");
                for (Map<String, Object> a : analyses) {
                    csv.append(a.get("repo")).append(',').append(a.get("score")).append(',').append(a.get("stars")).append(',')
                            .append(a.get("openIssues")).append(',').append(a.get("language")).append('\n');
                }
                return csv.toString();
            }
            return JSON.writeValueAsString(analyses);
        });
    }

    /** A job's result from its payload and the analyses of its repositories. */
    private interface Output {
        String of(JsonNode payload, List<Map<String, Object>> analyses) throws Exception;
    }

    /** Analyses the payload's repositories one step each, with progress; stores the output; records the run. */
    private void run(Job job, JobContext context, Output output) throws Exception {
        long run = records.started(context.id().value(), context.attempt(), instanceId);
        String ended = "failed";
        try {
            JsonNode payload = JSON.readTree(job.payloadText());
            JsonNode repos = payload.path("repos");
            List<Map<String, Object>> analyses = new ArrayList<>();
            for (int i = 0; i < repos.size(); i++) {
                if (context.cancelled()) {
                    ended = "cancelled";
                    return;
                }
                Thread.sleep(step.toMillis());
                analyses.add(analyse(repos.get(i).asText()));
                context.progress((i + 1) * 100 / repos.size());
            }
            if (repos.isEmpty()) {
                Thread.sleep(step.toMillis());
            }
            context.result(output.of(payload, analyses));
            ended = "returned";
        } catch (InterruptedException e) {
            ended = context.cancelled() ? "cancelled" : "interrupted";
            throw e;
        } finally {
            try {
                records.ended(run, ended);
            } catch (java.sql.SQLException e) {
                LOG.warn("job {}: the end of its run was not recorded: SQLSTATE {}", context.id(), e.getSQLState());
            }
        }
    }

    /** The simulated analysis of {@code repo}: figures derived from a hash of its name, the same on every instance. */
    static Map<String, Object> analyse(String repo) {
        ByteBuffer hash;
        try {
            hash = ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(repo.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
        Map<String, Object> analysis = new LinkedHashMap<>();
        analysis.put("repo", repo);
        analysis.put("score", Math.floorMod(hash.getInt(0), 101));
        analysis.put("stars", Math.floorMod(hash.getInt(4), 50_000));
        analysis.put("openIssues", Math.floorMod(hash.getInt(8), 500));
        analysis.put("language", LANGUAGES[Math.floorMod(hash.getInt(12), LANGUAGES.length)]);
        return analysis;
    }
}
