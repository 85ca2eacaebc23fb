package io.reporadar.jobs;

import java.security.SecureRandom;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The jobs a worker holds, by lease token (it makes the tokens): added by the dispatcher when it takes one, removed by the job's thread
 * once its outcome is written (or given up), renewed and watched by the lease threads; a drain waits on it until
 * every job is settled.
 *
 * <p>Thread-safe.
 */
final class HeldJobs {

    private final Map<String, JobContext> byToken = new ConcurrentHashMap<>();
    /** Makes this worker's lease tokens unique among all workers: random, then a count. */
    private final String tokenPrefix;
    private final AtomicLong tokens = new AtomicLong();
    /** Notified whenever a held job is settled. */
    private final Object settledSignal = new Object();

    HeldJobs() {
        byte[] random = new byte[8];
        new SecureRandom().nextBytes(random);
        this.tokenPrefix = HexFormat.of().formatHex(random) + "-";
    }

    /** A lease token no other job of any worker had or will have. */
    String newToken() {
        return tokenPrefix + tokens.incrementAndGet();
    }

    void add(JobContext job) {
        byToken.put(job.token(), job);
    }

    /** The job's outcome is written, or given up: it is no longer held, and whoever awaits the jobs is told. */
    void settled(JobContext job) {
        byToken.remove(job.token(), job);
        synchronized (settledSignal) {
            settledSignal.notifyAll();
        }
    }

    /** The held jobs: a live view, weakly consistent (jobs added or removed while it is read may be missed). */
    Collection<JobContext> jobs() {
        return Collections.unmodifiableCollection(byToken.values());
    }

    int size() {
        return byToken.size();
    }

    /**
     * Waits until no job is held, at most until {@code untilNanos} (of {@link System#nanoTime()}). An interrupt
     * ends the wait, the thread's interrupt status set again.
     */
    void awaitSettled(long untilNanos) {
        synchronized (settledSignal) {
            while (!byToken.isEmpty()) {
                long millis = TimeUnit.NANOSECONDS.toMillis(untilNanos - System.nanoTime());
                if (millis <= 0) {
                    return;
                }
                try {
                    settledSignal.wait(Math.min(millis, 50));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
