package io.reporadar.testing;

import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

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
public final class NginxExtension extends LogAttachingExtension implements AfterAllCallback, AfterEachCallback {

    private final boolean perTest;
    private volatile @Nullable NginxServer server; // null until started, and once stopped

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
        NginxServer started = NginxServer.start(httpBlock);
        server = started;
        return started;
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
    @Nullable String serverName() {
        NginxServer s = server;
        return s == null ? null : s + " error.log";
    }

    @Override
    String logTail() {
        NginxServer s = server;
        if (s == null) {
            return "(nginx was stopped meanwhile)";
        }
        String[] lines = s.errorLog().split("\n");
        return String.join("\n", java.util.Arrays.asList(lines).subList(Math.max(0, lines.length - 40), lines.length));
    }

    private void stopQuietly() {
        NginxServer s = server;
        server = null;
        if (s != null) {
            s.close();
        }
    }
}
