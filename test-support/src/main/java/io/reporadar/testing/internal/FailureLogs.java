package io.reporadar.testing.internal;

/**
 * Attaches a server's log to a failing test's exception, so the report shows why the server misbehaved.
 *
 * <p>Thread-safe (stateless).
 */
public final class FailureLogs {

    private FailureLogs() {
    }

    /** A suppressed exception whose message is the log; it carries no stack trace of its own. */
    public static final class ServerLog extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ServerLog(String message) {
            super(message, null, false, false);
        }
    }

    public static Throwable attach(Throwable failure, String server, String logTail) {
        failure.addSuppressed(new ServerLog("log of " + server + " (last lines):\n" + logTail));
        return failure;
    }
}
