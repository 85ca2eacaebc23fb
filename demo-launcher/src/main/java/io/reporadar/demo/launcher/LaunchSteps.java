package io.reporadar.demo.launcher;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The launcher's steps as the console shows them: {@code [2/6] PostgreSQL: the local postgres on a free port ... ok
 * (1.2 s)}, and on a failure a {@link Failure} naming the part and what to do about it.
 *
 * <p>Not thread-safe: one launch at a time.
 */
final class LaunchSteps {

    /** A part of the topology that did not start: which, why, and what the user can do. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        private final String part;
        private final String advice;

        Failure(String part, String advice, Throwable cause) {
            super(part + " did not start: " + reason(cause) + "\n  what to do: " + advice, cause);
            this.part = part;
            this.advice = advice;
        }

        String part() {
            return part;
        }

        String advice() {
            return advice;
        }

        private static String reason(Throwable cause) {
            StringBuilder reason = new StringBuilder(String.valueOf(cause.getMessage()));
            for (Throwable c = cause.getCause(); c != null && c != cause; c = c.getCause()) {
                reason.append(" (because: ").append(c.getMessage()).append(')');
            }
            return reason.toString();
        }
    }

    private final PrintStream out;
    private final int total;
    private int done;

    LaunchSteps(PrintStream out, int total) {
        this.out = out;
        this.total = total;
    }

    /**
     * Runs one step, saying what it starts before and how long it took after.
     *
     * @throws Failure naming {@code part} and {@code advice} when {@code step} throws
     */
    <T> T run(String part, String what, String advice, Callable<T> step) throws Failure {
        done++;
        out.printf(Locale.ROOT, "[%d/%d] %s: %s ... ", done, total, part, what);
        out.flush();
        long started = System.nanoTime();
        try {
            T result = step.call();
            out.printf(Locale.ROOT, "ok (%.1f s)%n", Duration.ofNanos(System.nanoTime() - started).toMillis() / 1000.0);
            return result;
        } catch (Exception e) {
            out.println("FAILED");
            throw new Failure(part, advice, e);
        }
    }
}
