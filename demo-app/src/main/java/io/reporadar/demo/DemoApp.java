package io.reporadar.demo;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RepoRadar demo service: an embedded Jetty 12 server configured from the environment. Every response
 * names the instance that produced it in {@code X-Instance-Id}.
 *
 * <p>Thread-safe once started.
 */
public final class DemoApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DemoApp.class);

    private final DemoConfig config;
    private final Server server;
    private final ServerConnector connector;

    private DemoApp(DemoConfig config) {
        this.config = config;
        this.server = new Server();
        this.connector = new ServerConnector(server);
        connector.setPort(config.port());
        server.addConnector(connector);
        server.setHandler(new Routes(config.instanceId()));
    }

    /** Starts the service; returns once it accepts connections. */
    public static DemoApp start(DemoConfig config) throws Exception {
        DemoApp app = new DemoApp(config);
        app.server.start();
        LOG.info("RepoRadar instance {} listening on port {}", config.instanceId(), app.port());
        return app;
    }

    /** The port the service listens on (the chosen one when PORT was 0). */
    public int port() {
        return connector.getLocalPort();
    }

    public String instanceId() {
        return config.instanceId();
    }

    /** Stops the server. */
    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("instance " + config.instanceId() + " did not stop cleanly: " + e.getMessage(), e);
        }
    }

    public static void main(String[] args) throws Exception {
        DemoConfig config;
        try {
            config = DemoConfig.fromEnvironment(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("reporadar-demo: " + e.getMessage());
            System.exit(2);
            return;
        }
        DemoApp app = start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                app.close();
            } catch (IllegalStateException e) {
                LOG.warn("shutdown of instance {} failed: {}", config.instanceId(), e.toString());
            }
        }, "reporadar-shutdown"));
        app.server.join();
    }

    /** The HTTP routes; stateless. */
    private static final class Routes extends Handler.Abstract.NonBlocking {
        private final String instanceId;

        Routes(String instanceId) {
            this.instanceId = instanceId;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            response.getHeaders().put("X-Instance-Id", instanceId);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            String path = Request.getPathInContext(request);
            if (path.equals("/health/live")) {
                return json(response, callback, 200, "{\"status\":\"UP\",\"instance\":\"" + instanceId + "\"}");
            }
            return json(response, callback, 404, "{\"error\":\"not found\"}");
        }

        private static boolean json(Response response, Callback callback, int status, String body) {
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            Content.Sink.write(response, true, body, callback);
            return true;
        }
    }
}
