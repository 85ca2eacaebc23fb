package io.reporadar.testing;

import io.reporadar.testing.internal.FailureLogs;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * The part the fixtures' extensions share: when a test or one of its lifecycle methods fails, the last
 * lines of the server's log go along with the failure.
 *
 * <p>Thread-safe.
 */
abstract class LogAttachingExtension implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {

    /** The server's name for the report, or {@code null} when no server runs yet. */
    abstract @Nullable String serverName();

    /** The last lines of the server's log (asked after {@link #serverName()} named one). */
    abstract String logTail();

    @Override
    public final void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw withLog(failure);
    }

    @Override
    public final void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw withLog(failure);
    }

    @Override
    public final void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw withLog(failure);
    }

    @Override
    public final void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw withLog(failure);
    }

    private Throwable withLog(Throwable failure) {
        String name = serverName();
        return name == null ? failure : FailureLogs.attach(failure, name, logTail());
    }
}
