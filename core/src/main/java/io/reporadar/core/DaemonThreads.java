package io.reporadar.core;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The background threads of every RepoRadar module: daemon threads (they never keep a JVM alive), named
 * {@code reporadar-<purpose>} so that a thread dump says whose they are, numbered when there are several.
 *
 * <pre>{@code
 * ScheduledExecutorService checks = DaemonThreads.scheduler("health-checks");   // thread "reporadar-health-checks"
 * }</pre>
 */
public final class DaemonThreads {

    private DaemonThreads() {
    }

    /** A factory of daemon threads named {@code reporadar-<purpose>-1}, {@code reporadar-<purpose>-2}, ... */
    public static ThreadFactory factory(String purpose) {
        String prefix = name(purpose) + "-";
        AtomicInteger count = new AtomicInteger();
        return runnable -> daemon(runnable, prefix + count.incrementAndGet());
    }

    /** A factory for an executor of one thread, named {@code reporadar-<purpose>}. */
    public static ThreadFactory single(String purpose) {
        String name = name(purpose);
        return runnable -> daemon(runnable, name);
    }

    /** A scheduler with one daemon thread named {@code reporadar-<purpose>}. */
    public static ScheduledExecutorService scheduler(String purpose) {
        return Executors.newSingleThreadScheduledExecutor(single(purpose));
    }

    /** A daemon thread named {@code reporadar-<purpose>}, not started. */
    public static Thread thread(String purpose, Runnable task) {
        return daemon(task, name(purpose));
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    private static String name(String purpose) {
        return purpose.startsWith("reporadar-") ? purpose : "reporadar-" + purpose;
    }
}
