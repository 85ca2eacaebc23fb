package io.reporadar.demo;

import static io.reporadar.demo.ApiServlet.object;
import static io.reporadar.demo.ApiServlet.send;

import com.fasterxml.jackson.databind.JsonNode;
import io.reporadar.jobs.Job;
import io.reporadar.jobs.JobId;
import io.reporadar.jobs.JobInfo;
import io.reporadar.jobs.JobQueue;
import io.reporadar.jobs.JobQueueUnavailableException;
import io.reporadar.jobs.JobWorker;
import io.reporadar.session.internal.SessionDataException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job routes, for a logged-in user: {@code POST /api/jobs} ({@code {"type":"batch-analysis"}} or
 * {@code {"type":"export","format":"csv"|"json"}}, over the user's watchlist; an {@code Idempotency-Key} header makes
 * a repeated post return the job it created), {@code GET /api/jobs} (the user's jobs, newest first),
 * {@code GET /api/jobs/:id} (state, progress, attempts, and which instance ran each attempt),
 * {@code GET /api/jobs/:id/result} (the analysis, or the export file), {@code DELETE /api/jobs/:id} (cancel) and
 * {@code GET /api/jobs/stats/queue} (the queue's counts and this instance's worker). Only a job's owner sees or
 * cancels it: another user's job is 404, as an unknown one.
 *
 * <p>Thread-safe.
 */
final class JobRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(JobRoutes.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final String EXPECTED_BODY = "{\"type\":\"batch-analysis\"} or {\"type\":\"export\",\"format\":\"csv\"|\"json\"}";
    private static final int LIST_LIMIT = 50;

    private final @Nullable DemoJobs jobs; // null: no Redis, no queue
    private final Watchlist watchlist;

    JobRoutes(@Nullable DemoJobs jobs, Watchlist watchlist) {
        this.jobs = jobs;
        this.watchlist = watchlist;
    }

    static boolean handles(String path) {
        return path.equals("/api/jobs") || path.startsWith("/api/jobs/");
    }

    void serve(HttpServletRequest request, HttpServletResponse response, String username) throws IOException {
        if (jobs == null) {
            send(response, 503, object("error", "the job queue needs Redis (USE_REDIS_SESSIONS=true and REDIS_URL)"));
            return;
        }
        String[] parts = request.getRequestURI().substring("/api/jobs".length()).split("/", -1);
        String method = request.getMethod();
        try {
            if (parts.length == 1) {
                switch (method) {
                    case "POST" -> create(request, response, username, jobs);
                    case "GET" -> list(response, username, jobs);
                    default -> notAllowed(response, "GET, POST");
                }
            } else if (parts.length == 3 && parts[1].equals("stats") && parts[2].equals("queue")) {
                if (method.equals("GET")) {
                    stats(response, jobs);
                } else {
                    notAllowed(response, "GET");
                }
            } else if (parts.length == 2 || (parts.length == 3 && parts[2].equals("result"))) {
                one(request, response, username, parts, jobs);
            } else {
                send(response, 404, object("error", "not found"));
            }
        } catch (IllegalArgumentException e) {
            send(response, 400, object("error", String.valueOf(e.getMessage())));
        } catch (JobQueueUnavailableException e) {
            LOG.warn("job route: the queue did not answer: {}", e.getMessage());
            unavailable(response, "job queue unavailable");
        } catch (SQLException e) {
            LOG.warn("job route: the database failed: SQLSTATE {}", e.getSQLState());
            unavailable(response, "database unavailable");
        }
    }

    private void create(HttpServletRequest request, HttpServletResponse response, String username, DemoJobs jobs) throws IOException, SQLException {
        if (!ApiServlet.json(request, response)) {
            return;
        }
        JsonNode body = ApiServlet.body(request, EXPECTED_BODY);
        String type = ApiServlet.text(body, "type", EXPECTED_BODY);
        String format = "";
        if (type.equals(RepoJobs.EXPORT)) {
            format = ApiServlet.text(body, "format", "\"csv\" or \"json\"");
            if (!format.equals("csv") && !format.equals("json")) {
                throw new IllegalArgumentException("format: expected \"csv\" or \"json\"");
            }
        } else if (!type.equals(RepoJobs.BATCH_ANALYSIS)) {
            throw new IllegalArgumentException("type: expected \"batch-analysis\" or \"export\"");
        }
        String id = jobId(username, request.getHeader("Idempotency-Key"));
        List<String> repos = watchlist.of(username);
        jobs.records().created(new JobRecords.Owned(id, username, type, format.isEmpty() ? null : format));
        JobInfo job = jobs.queue().enqueue(Job.of(type, RepoJobs.payload(username, repos, format)).id(id));
        response.setHeader("Location", "/api/jobs/" + id);
        send(response, 202, view(job, format.isEmpty() ? null : format));
    }

    private void list(HttpServletResponse response, String username, DemoJobs jobs) throws IOException, SQLException {
        List<Map<String, Object>> views = new ArrayList<>();
        for (String id : jobs.records().recent(username, LIST_LIMIT)) {
            jobs.queue().get(JobId.of(id)).ifPresent(job -> views.add(view(job, null)));
        }
        send(response, 200, object("jobs", views));
    }

    private void one(HttpServletRequest request, HttpServletResponse response, String username, String[] parts, DemoJobs jobs)
            throws IOException, SQLException {
        String id = parts[1];
        JobId jobId;
        try {
            jobId = JobId.of(id);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("id: expected 1-128 letters, digits, '.', '_' or '-'", e);
        }
        String method = request.getMethod();
        boolean result = parts.length == 3;
        String allowed = result ? "GET" : "GET, DELETE";
        if (!method.equals("GET") && !(method.equals("DELETE") && !result)) {
            notAllowed(response, allowed);
            return;
        }
        Optional<JobRecords.Owned> owned = jobs.records().owned(username, id);
        Optional<JobInfo> job = owned.isEmpty() ? Optional.empty()
                : method.equals("DELETE") ? jobs.queue().cancel(jobId) : jobs.queue().get(jobId);
        if (owned.isEmpty() || job.isEmpty()) {
            send(response, 404, object("error", "no such job"));
            return;
        }
        String format = owned.get().format();
        if (result) {
            result(response, job.get(), format, jobs);
            return;
        }
        Map<String, Object> view = view(job.get(), format);
        List<Map<String, Object>> runs = new ArrayList<>();
        for (JobRecords.Run run : jobs.records().runs(id)) {
            runs.add(object("attempt", run.attempt(), "instance", run.instanceId(), "startedAt", run.startedAt().toString(),
                    "endedAt", run.endedAt() == null ? null : String.valueOf(run.endedAt()), "ended", run.ended()));
        }
        view.put("runs", runs);
        send(response, 200, view);
    }

    private static void result(HttpServletResponse response, JobInfo job, @Nullable String format, DemoJobs jobs) throws IOException {
        if (job.state() != JobInfo.State.COMPLETED) {
            send(response, 409, object("error", "job " + job.id() + " is " + stateName(job) + " (expected: completed)"));
            return;
        }
        Optional<byte[]> bytes;
        try {
            bytes = jobs.queue().result(job.id());
        } catch (SessionDataException e) {
            LOG.warn("job {}: its result does not decrypt ({}): the key that sealed it left the key ring?", job.id(), e.reason().tag());
            send(response, 410, object("error", "job " + job.id() + "'s result can no longer be read"));
            return;
        }
        if (bytes.isEmpty()) {
            send(response, 404, object("error", "job " + job.id() + " has no result"));
            return;
        }
        boolean csv = "csv".equals(format);
        response.setStatus(200);
        response.setContentType(csv ? "text/csv; charset=utf-8" : "application/json");
        if (format != null) {
            response.setHeader("Content-Disposition", "attachment; filename=\"reporadar-export-" + job.id() + (csv ? ".csv" : ".json") + "\"");
        }
        response.getOutputStream().write(bytes.get());
    }

    private static void stats(HttpServletResponse response, DemoJobs jobs) throws IOException {
        JobQueue.Counts counts = jobs.queue().counts();
        JobWorker.Stats worker = jobs.workerStats();
        send(response, 200, object("queue", jobs.queue().name(), "waiting", counts.waiting(), "active", counts.active(), "delayed",
                counts.delayed(), "completed", counts.completed(), "failed", counts.failed(), "cancelled", counts.cancelled(), "worker",
                object("running", worker.running(), "completed", worker.completed(), "retried", worker.retried(), "failed", worker.failed(),
                        "handedBack", worker.handedBack(), "takeovers", worker.takeovers())));
    }

    /** A job as the routes show it; {@code format} for exports. */
    private static Map<String, Object> view(JobInfo job, @Nullable String format) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", job.id().value());
        view.put("type", job.type());
        if (format != null) {
            view.put("format", format);
        }
        view.put("state", stateName(job));
        view.put("progress", job.progress());
        view.put("attempts", job.attempts());
        view.put("maxAttempts", job.maxAttempts());
        view.put("cancelRequested", job.cancelRequested());
        view.put("createdAt", job.createdAt().toString());
        view.put("startedAt", job.startedAt() == null ? null : String.valueOf(job.startedAt()));
        view.put("finishedAt", job.finishedAt() == null ? null : String.valueOf(job.finishedAt()));
        view.put("error", job.error());
        return view;
    }

    private static String stateName(JobInfo job) {
        return job.state().name().toLowerCase(Locale.ROOT);
    }

    /**
     * A random id; with an {@code Idempotency-Key}, the same id for the same user and key, so that a repeated post
     * returns the job the first created (and another user's key never names this user's job).
     */
    private static String jobId(String username, @Nullable String idempotencyKey) {
        if (idempotencyKey == null) {
            byte[] random = new byte[16];
            RANDOM.nextBytes(random);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        }
        if (!IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
            throw new IllegalArgumentException("Idempotency-Key: expected 1-64 letters, digits, '.', '_', ':' or '-'");
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest((username + "\n" + idempotencyKey).getBytes(StandardCharsets.UTF_8));
            return "k" + Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(hash, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    private static void notAllowed(HttpServletResponse response, String allowed) throws IOException {
        response.setHeader("Allow", allowed);
        send(response, 405, object("error", "method not allowed (expected: " + allowed + ")"));
    }

    private static void unavailable(HttpServletResponse response, String what) throws IOException {
        response.setHeader("Retry-After", "1");
        send(response, 503, object("error", what));
    }
}
