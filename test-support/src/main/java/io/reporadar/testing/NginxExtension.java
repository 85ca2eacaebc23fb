package io.reporadar.testing;

import io.reporadar.testing.internal.FailureLogs;
import java.util.function.IntFunction;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Owns the nginx of a test class: the test starts it with a configuration (usually once its backends run),
 * the extension attaches nginx's error log to any failure and stops it after the class.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final NginxExtension nginx = new NginxExtension();
 *
 * @BeforeAll
 * static void startNginx() {
 *     nginx.start(port -> "server { listen 127.0.0.1:" + port + "; return 204; }");
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class NginxExtension implements AfterAllCallback, AfterEachCallback, TestExecutionExceptionHandler,
        LifecycleMethodExecutionExceptionHandler {

    private final boolean perTest;
    private volatile NginxServer server;

    /** nginx lives until the end of the class. */
    public NginxExtension() {
        this(false);
    }

    private NginxExtension(boolean perTest) {
        this.perTest = perTest;
    }

    /** nginx started in a test is stopped after that test. */
    public static NginxExtension perTest() {
        return new NginxExtension(true);
    }

    /** Starts nginx (stopping one this extension started before). */
    public NginxServer start(IntFunction<String> httpBlock) {
        stopQuietly();
        server = NginxServer.start(httpBlock);
        return server;
    }

    public NginxServer server() {
        NginxServer s = server;
        if (s == null) {
            throw new IllegalStateException("nginx was not started: call start(port -> config) first");
        }
        return s;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (perTest) {
            stopQuietly();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stopQuietly();
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw withLog(failure);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw withLog(failure);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw withLog(failure);
    }

    @Override
    public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw withLog(failure);
    }

    private Throwable withLog(Throwable failure) {
        NginxServer s = server;
        if (s == null) {
            return failure;
        }
        String log = s.errorLog();
        String[] lines = log.split("\n");
        String tail = String.join("\n", java.util.Arrays.asList(lines).subList(Math.max(0, lines.length - 40), lines.length));
        return FailureLogs.attach(failure, s + " error.log", tail);
    }

    private void stopQuietly() {
        NginxServer s = server;
        server = null;
        if (s != null) {
            s.close();
        }
    }
}
