package io.reporadar.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Steady traffic through the front for the drills: one thread per logged-in user, each alternating a write
 * ({@code POST /api/visits}, one more visit in the session) and a read ({@code GET /api/me}, which only reads
 * the session) back to back on its own connections (50 ms apart after a failure). Every answer other than 200
 * is a failure, counted apart for reads and writes; every write's 200 must show one more visit than the last
 * acknowledged one and every read's at least as many, so an acknowledged session write that went missing (a
 * lost update, a lost session, a read that went back in time) is counted too. Each 200 is counted for the
 * instance that answered it ({@code X-Instance-Id}), with the time of its first.
 *
 * <p>{@link #startResending} adds what browsers do: a request that a reused connection closed before any byte of an
 * answer is sent once more on a new connection (nginx closes its idle client connections when a reload retires its
 * old workers, and one can be closed just as a request goes out on it, unread). Those are counted apart.
 *
 * <p>Thread-safe.
 */
final class SteadyLoad implements AutoCloseable {

    private static final long FAILURE_PAUSE_MILLIS = 50;
    private static final Pattern VISITS = Pattern.compile("\"visits\":(\\d+)");

    /** A request that did not get its 200, or a 200 showing an earlier write missing. */
    record Failure(long atNanos, boolean write, String what) {
    }

    private final URI front;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong lostWrites = new AtomicLong();
    private final AtomicLong slowestNanos = new AtomicLong();
    private final ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>();
    private final ConcurrentHashMap<String, AtomicLong> servedBy = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> firstServedNanos = new ConcurrentHashMap<>();
    private final AtomicLong lastWriteFailureNanos = new AtomicLong(Long.MIN_VALUE);
    private volatile long writesRecoveredNanos = Long.MIN_VALUE; // the first write success after the last write failure
    private final AtomicLong resent = new AtomicLong();
    private final boolean resendUnanswered;
    private volatile boolean running = true;

    private SteadyLoad(URI front, boolean resendUnanswered) {
        this.front = front;
        this.resendUnanswered = resendUnanswered;
    }

    /** Logs in {@code users} users through {@code front} and starts one thread per user. */
    static SteadyLoad start(URI front, int users) throws IOException, InterruptedException {
        return start(front, users, false);
    }

    /** As {@link #start}, each user sending once more a request that its connection closed before any answer. */
    static SteadyLoad startResending(URI front, int users) throws IOException, InterruptedException {
        return start(front, users, true);
    }

    private static SteadyLoad start(URI front, int users, boolean resendUnanswered) throws IOException, InterruptedException {
        SteadyLoad load = new SteadyLoad(front, resendUnanswered);
        for (int i = 0; i < users; i++) {
            String cookie = login(front, "load-" + i);
            Thread thread = new Thread(() -> load.run(cookie), "steady-load-" + i);
            load.threads.add(thread);
        }
        load.threads.forEach(Thread::start);
        return load;
    }

    /** Logs {@code username} in through {@code front} and returns the session cookie ({@code name=value}). */
    static String login(URI front, String username) throws IOException, InterruptedException {
        HttpResponse<String> login = HttpClient.newHttpClient().send(HttpRequest.newBuilder(front.resolve("/api/login")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + username + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (login.statusCode() != 200) {
            throw new IllegalStateException("login of " + username + " failed: " + login.statusCode() + " " + login.body());
        }
        return login.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
    }

    private void run(String cookie) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest visit = HttpRequest.newBuilder(front.resolve("/api/visits")).header("Cookie", cookie).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpRequest me = HttpRequest.newBuilder(front.resolve("/api/me")).header("Cookie", cookie).timeout(Duration.ofSeconds(30)).build();
        long acknowledgedVisits = -1;
        boolean write = true;
        boolean resending = false;
        while (running) {
            long started = System.nanoTime();
            try {
                HttpResponse<String> response = http.send(write ? visit : me, HttpResponse.BodyHandlers.ofString());
                boolean wasResent = resending;
                resending = false;
                long finished = System.nanoTime();
                slowestNanos.accumulateAndGet(finished - started, Math::max);
                Matcher visits = VISITS.matcher(response.body());
                if (response.statusCode() != 200 || !visits.find()) {
                    fail(finished, write, response.statusCode() + " from "
                            + response.headers().firstValue("X-Instance-Id").orElse("nginx") + ": " + response.body());
                    continue;
                }
                long now = Long.parseLong(visits.group(1));
                if (write ? now <= acknowledgedVisits : now < acknowledgedVisits) {
                    lostWrites.incrementAndGet();
                    fail(finished, write, "visits " + now + " after acknowledged " + acknowledgedVisits);
                } else if (wasResent && write && acknowledgedVisits >= 0 && now > acknowledgedVisits + 1) {
                    fail(finished, write, "a write sent once more was applied twice: visits " + now + " after acknowledged " + acknowledgedVisits);
                }
                acknowledgedVisits = Math.max(acknowledgedVisits, now);
                String instance = response.headers().firstValue("X-Instance-Id").orElse("(none)");
                servedBy.computeIfAbsent(instance, unused -> new AtomicLong()).incrementAndGet();
                firstServedNanos.putIfAbsent(instance, finished);
                succeeded.incrementAndGet();
                if (write && writesRecoveredNanos < lastWriteFailureNanos.get()) {
                    writesRecoveredNanos = finished;
                }
                write = !write;
            } catch (IOException e) {
                if (resendUnanswered && !resending && unanswered(e)) {
                    resending = true;
                    resent.incrementAndGet();
                    continue;
                }
                resending = false;
                fail(System.nanoTime(), write, e.toString());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The JDK client's report of a connection closed before any byte of the answer came. */
    private static boolean unanswered(IOException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if ("HTTP/1.1 header parser received no bytes".equals(cause.getMessage())
                    || cause.getClass().getSimpleName().equals("ConnectionExpiredException")) {
                return true;
            }
        }
        return false;
    }

    /** Requests sent once more after their connection closed unanswered ({@link #startResending} only). */
    long resent() {
        return resent.get();
    }

    /** Records a failure, then pauses the user briefly, as a person or a client with back-off would. */
    private void fail(long atNanos, boolean write, String what) {
        failures.add(new Failure(atNanos, write, what));
        if (write) {
            lastWriteFailureNanos.accumulateAndGet(atNanos, Math::max);
        }
        try {
            Thread.sleep(FAILURE_PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    long succeeded() {
        return succeeded.get();
    }

    /** The successful requests so far, by the instance that answered them. */
    Map<String, Long> servedBy() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        servedBy.forEach((instance, count) -> counts.put(instance, count.get()));
        return counts;
    }

    /** When {@code instance} first answered a request with a 200 ({@link System#nanoTime()}), null if it has not. */
    @Nullable Long firstServedNanos(String instance) {
        return firstServedNanos.get(instance);
    }

    List<Failure> failures() {
        return List.copyOf(failures);
    }

    /** The failed reads ({@code GET /api/me}). */
    List<Failure> readFailures() {
        return failures.stream().filter(failure -> !failure.write()).toList();
    }

    /** The failed writes ({@code POST /api/visits}). */
    List<Failure> writeFailures() {
        return failures.stream().filter(Failure::write).toList();
    }

    /** The number of failures and the first few kinds, for assertion messages. */
    String summary() {
        List<Failure> all = failures();
        return all.size() + " failed, " + succeeded() + " succeeded; first: "
                + all.stream().map(f -> f.what().lines().findFirst().orElse("")).distinct().limit(5).toList();
    }

    /** The failures at or after {@code nanos} ({@link System#nanoTime()}). */
    List<Failure> failuresSince(long nanos) {
        return failures.stream().filter(failure -> failure.atNanos() >= nanos).toList();
    }

    /** Acknowledged session writes found missing later: a lost update or a lost session. */
    long lostWrites() {
        return lostWrites.get();
    }

    /** The longest request so far. */
    Duration slowest() {
        return Duration.ofNanos(slowestNanos.get());
    }

    /** Waits until {@code more} further requests succeeded. */
    void awaitMore(long more, Duration timeout) throws InterruptedException {
        long target = succeeded.get() + more;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (succeeded.get() < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the load did not reach " + target + " successes within " + timeout
                        + " (" + succeeded.get() + "; failures: " + failures().size() + ")");
            }
            Thread.sleep(20);
        }
    }

    /**
     * Waits until a write succeeded after the last write failure. Reads, which replicas answer through a failover,
     * can reach any count of successes before writes are back (CI: 300 came in while the promoted master had no
     * replica yet).
     */
    void awaitWritesBack(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (writesRecoveredNanos < lastWriteFailureNanos.get()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no write succeeded within " + timeout + " of the last write failure");
            }
            Thread.sleep(20);
        }
    }

    /**
     * The time from {@code faultNanos} until writes succeeded again for good: zero when no write failed after
     * the fault, else until the first write success after the last write failure.
     */
    Duration recoveryAfter(long faultNanos) {
        long lastFailure = lastWriteFailureNanos.get();
        if (lastFailure < faultNanos) {
            return Duration.ZERO;
        }
        if (writesRecoveredNanos < lastFailure) {
            throw new IllegalStateException("no write succeeded since the last write failure: " + writeFailures().get(0));
        }
        return Duration.ofNanos(writesRecoveredNanos - faultNanos);
    }

    /** Stops the threads, letting requests in flight finish (up to 40 s each); nothing more when they have stopped. */
    void stop() throws InterruptedException {
        running = false;
        for (Thread thread : threads) {
            thread.join(Duration.ofSeconds(40).toMillis());
        }
    }

    /** {@link #stop()}; interrupted, it leaves the threads to end on their own and keeps the interrupt. */
    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
