package io.reporadar.demo;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.reporadar.health.CheckSpec;
import io.reporadar.health.CheckStatus;
import io.reporadar.health.Checks;
import io.reporadar.health.DetailsPolicy;
import io.reporadar.health.GracefulShutdown;
import io.reporadar.health.Health;
import io.reporadar.health.HealthCheck;
import io.reporadar.health.HealthEndpoints;
import io.reporadar.health.InFlightRequests;
import io.reporadar.health.dashboard.DashboardPage;
import io.reporadar.health.micrometer.HealthMetrics;
import io.reporadar.health.servlet.HealthServlet;
import io.reporadar.health.servlet.InFlightFilter;
import io.reporadar.pooling.ConnectionBudgetException;
import io.reporadar.pooling.GuardedPool;
import io.reporadar.pooling.PoolSettings;
import io.reporadar.pooling.micrometer.PoolBudgetMetrics;
import io.reporadar.session.SessionCodec;
import io.reporadar.session.SessionRedis;
import io.reporadar.session.SessionStores;
import io.reporadar.session.micrometer.SessionMetrics;
import io.reporadar.session.servlet.SessionFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.ErrorHandler;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RepoRadar demo service: an embedded Jetty 12 server configured from the environment. Every response
 * names the instance that produced it in {@code X-Instance-Id}; sessions are shared by every instance through
 * the session store the environment names.
 *
 * <p>Thread-safe once started.
 */
public final class DemoApp implements AutoCloseable {

    static {
        // APP_ENV=development: the toolkit's own debug logging. Set before the first logger exists, which
        // slf4j-simple configures once.
        if ("development".equals(System.getenv("APP_ENV"))) {
            System.setProperty("org.slf4j.simpleLogger.log.io.reporadar", "debug");
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(DemoApp.class);
    /** A replica as the redis check lists it ("host:port online lag=1s"), online and at most 2 s behind. */
    /** How long {@link #close()} waits for responses under way to be written out (deploy/kubernetes's grace period counts it). */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    private final DemoConfig config;
    private final SessionStores.Opened sessions;
    private final GuardedPool pool;
    private final @Nullable DemoJobs jobs; // null: no Redis, no job queue
    private final @Nullable DeploymentRegistry registry; // null: no Redis, the dashboard shows this instance alone
    private final DeploymentDashboard dashboard;
    private final PrometheusMeterRegistry metrics;
    private final Health health;
    private final InFlightRequests inFlight = new InFlightRequests();
    private final Server server;
    private final ServerConnector connector;

    private DemoApp(DemoConfig config, SessionStores.Opened sessions, GuardedPool pool, @Nullable DemoJobs jobs, PrometheusMeterRegistry metrics) {
        this.config = config;
        this.sessions = sessions;
        this.pool = pool;
        this.jobs = jobs;
        this.metrics = metrics;
        Health.Builder checks = Health.builder()
                .check(CheckSpec.internal("disk", Checks.diskSpace(Path.of("."), 1L << 30, 100L << 20)))
                .check(CheckSpec.dependency("postgres", Checks.postgres(pool.dataSource(), Duration.ofSeconds(1))).critical());
        SessionRedis redis = sessions.redis();
        if (redis != null) {
            HealthCheck replication = Checks.redis(redis::connection, Duration.ofMillis(500));
            HealthCheck redisCheck = !redis.viaSentinels() ? replication : () -> {
                String master;
                try {
                    master = String.valueOf(redis.sentinelMaster()); // "null": the URL names no Sentinels
                } catch (RuntimeException e) {
                    master = "unknown (most Sentinels do not answer, or they disagree)";
                }
                return replication.check().withDetail("sentinelMaster", master);
            };
            checks.check(CheckSpec.dependency("redis", redisCheck).critical());
        }
        if (jobs != null) {
            checks.check(CheckSpec.dependency("jobs", jobs.check()));
        }
        this.health = checks.build();
        this.registry = redis == null ? null : new DeploymentRegistry(redis);
        this.dashboard = new DeploymentDashboard(config.instanceId(), health, inFlight, pool, registry);
        new HealthMetrics(health).bindTo(metrics);
        if (sessions.replicasExpected()) {
            // Only where replicas are expected, so that a standalone Redis never alerts (docker/monitoring).
            Gauge.builder("reporadar.session.redis.replicas.online", health, DemoApp::replicasOnline)
                    .description("Redis replicas streaming from the master (online, at most 2 s behind), as the redis check last read them")
                    .register(metrics);
        }
        new PoolBudgetMetrics(pool).bindTo(metrics);
        new JvmMemoryMetrics().bindTo(metrics);
        new JvmThreadMetrics().bindTo(metrics);
        new ProcessorMetrics().bindTo(metrics);
        new UptimeMetrics().bindTo(metrics);
        this.server = new Server();
        HttpConfiguration httpConfig = new HttpConfiguration();
        httpConfig.setSendServerVersion(false); // no version banner for scanners
        this.connector = new ServerConnector(server, new HttpConnectionFactory(httpConfig));
        connector.setPort(config.port());
        server.addConnector(connector);

        ServletContextHandler context = new ServletContextHandler();
        Filter instanceHeaders = (request, response, chain) -> {
            HttpServletResponse http = (HttpServletResponse) response;
            http.setHeader("X-Instance-Id", config.instanceId());
            http.setHeader("Cache-Control", "no-store");
            chain.doFilter(request, response);
        };
        // Outermost, so that a request counts in flight until its response is complete, the session filter's save
        // included: a graceful stop that saw none in flight while a save was under way cut a POST off (nginx: 502).
        context.addFilter(new FilterHolder(new InFlightFilter(inFlight)), "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addFilter(new FilterHolder(instanceHeaders), "/*", EnumSet.allOf(DispatcherType.class));
        SessionFilter.CookieSettings cookie = SessionFilter.CookieSettings.defaults().secure(!config.development());
        context.addFilter(new FilterHolder(new SessionFilter(sessions.store(), cookie)), "/api/*", EnumSet.of(DispatcherType.REQUEST));
        // Details, the dashboard and metrics for internal clients only; behind nginx, the client is the one nginx names.
        ServletHolder healthServlet = new ServletHolder(new HealthServlet(HealthEndpoints.of(health, DetailsPolicy.networks(config.internalNetworks()))
                .withPage(DashboardPage.of(dashboard::view)), config.trustedProxies()));
        context.addServlet(healthServlet, "/health");
        context.addServlet(healthServlet, "/health/*");
        Watchlist watchlist = new Watchlist(pool.dataSource(), redis == null ? null : redis::connection);
        context.addServlet(new ServletHolder(new PrometheusServlet(metrics, config)), "/metrics");
        context.addServlet(new ServletHolder(new ApiServlet(config.instanceId(), watchlist, new JobRoutes(jobs, watchlist))), "/*");
        ErrorHandler errors = new ErrorHandler();
        errors.setShowStacks(false);
        errors.setShowMessageInTitle(false);
        context.setErrorHandler(errors);
        // A stop waits (up to STOP_TIMEOUT) for the responses under way to be written out: the servlet has
        // returned, and the request no longer counts in flight, before the last bytes of its response are sent.
        server.setHandler(new GracefulHandler(context));
        server.setStopTimeout(STOP_TIMEOUT.toMillis());
    }

    /**
     * Opens the PostgreSQL pool (within its connection budget), migrates the schema, opens the session store
     * and starts the service; returns once it accepts connections.
     *
     * @throws IllegalArgumentException naming every missing or malformed variable
     */
    public static DemoApp start(DemoConfig config) throws Exception {
        PoolSettings poolSettings = PoolSettings.fromEnvironment(config.environment());
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // Not "instance": Prometheus gives that label to the scrape target and would rename ours exported_instance.
        metrics.config().commonTags("instance_id", config.instanceId());
        SessionStores.Opened sessions = SessionStores.fromEnvironment(config.environment(), SessionCodec.allowing(),
                new SessionMetrics(metrics));
        GuardedPool pool;
        DemoJobs jobs = null;
        try {
            pool = GuardedPool.open(poolSettings);
            try {
                Schema.migrate(pool.dataSource());
                SessionRedis redis = sessions.redis();
                jobs = redis == null ? null : DemoJobs.start(config, redis, pool.dataSource(), metrics);
            } catch (Exception e) {
                pool.close();
                throw e;
            }
        } catch (Exception e) {
            sessions.close();
            throw e;
        }
        DemoApp app;
        try {
            app = new DemoApp(config, sessions, pool, jobs, metrics);
        } catch (RuntimeException e) {
            if (jobs != null) {
                jobs.close(); // its worker already takes jobs
            }
            sessions.close();
            pool.close();
            throw e;
        }
        try {
            app.health.start();
            app.server.start();
        } catch (Exception e) {
            app.closeClients();
            throw e;
        }
        app.dashboard.startPublishing();
        app.health.markReady();
        LOG.info("RepoRadar instance {} listening on port {}", config.instanceId(), app.port());
        return app;
    }

    /** The redis check's last {@code replicasStreaming}; NaN before a result, or from a replica. */
    private static double replicasOnline(Health health) {
        for (CheckStatus check : health.snapshot().checks()) {
            if (check.name().equals("redis") && check.result().details().get("replicasStreaming") instanceof Number streaming) {
                return streaming.doubleValue();
            }
        }
        return Double.NaN;
    }

    /** The port the service listens on (the chosen one when PORT was 0). */
    public int port() {
        return connector.getLocalPort();
    }

    public String instanceId() {
        return config.instanceId();
    }

    /**
     * Stops the server (for a graceful stop, see {@link #main}): waits up to 5 s for the responses under way to be
     * written out, then closes the health checks, the session store and the pool.
     */
    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("instance " + config.instanceId() + " did not stop cleanly: " + e.getMessage(), e);
        } finally {
            closeClients();
        }
    }

    private void closeClients() {
        try {
            if (jobs != null) {
                jobs.close(); // drains, or waits for the drain SIGTERM began; before the connections it needs
            }
        } finally {
            try {
                if (registry != null) {
                    registry.close(); // the last report, STOPPED, while Redis is still connected
                }
            } finally {
                health.close();
                sessions.close();
                pool.close();
                metrics.close();
            }
        }
    }

    /**
     * {@code GET /metrics}: every meter in the Prometheus text format, or OpenMetrics for a scraper that accepts it
     * (Prometheus asks for it first), for internal clients only (whatever the path's spelling, nginx's allow-list
     * aside); others get 404, as for a path that does not exist.
     */
    private static final class PrometheusServlet extends HttpServlet {
        private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
        private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
        private final transient PrometheusMeterRegistry registry;
        private final transient DemoConfig config;

        PrometheusServlet(PrometheusMeterRegistry registry, DemoConfig config) {
            this.registry = registry;
            this.config = config;
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws java.io.IOException {
            if (!config.internalNetworks().contains(HealthServlet.client(request, config.trustedProxies()))) {
                response.setStatus(404);
                response.setContentType("application/json");
                response.getWriter().write("{\"error\":\"not found\"}");
                return;
            }
            String accept = request.getHeader("Accept");
            String format = accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS : PROMETHEUS_TEXT;
            response.setContentType(format);
            response.getWriter().write(registry.scrape(format));
        }
    }

    public static void main(String[] args) throws Exception {
        DemoApp app;
        try {
            app = start(DemoConfig.fromEnvironment(System.getenv()));
        } catch (IllegalArgumentException | ConnectionBudgetException e) {
            // A bad variable, or one instance too many for PostgreSQL: the message says which and the arithmetic.
            System.err.println("reporadar-demo: " + e.getMessage());
            System.exit(2);
            return;
        } catch (RuntimeException | java.sql.SQLException e) {
            // Redis or PostgreSQL unreachable, an evicting Redis: say what failed and why, without a stack trace.
            StringBuilder causes = new StringBuilder("reporadar-demo: cannot start: ").append(e.getMessage());
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                causes.append("\n  because: ").append(cause.getMessage());
            }
            System.err.println(causes);
            System.exit(1);
            return;
        }
        // SIGTERM: readiness turns OUT_OF_SERVICE, requests keep being served for the drain delay, then new
        // connections are refused, responses close their connections, and once nginx has closed those it kept
        // idle (no request for its keep-alive timeout and a margin), the server and clients close last.
        // Jobs drain from the signal on, alongside requests: within the drain delay and 10 s more, before the
        // platform's SIGKILL (30 s); what cannot finish is handed back to the other instances.
        DemoJobs jobs = app.jobs;
        GracefulShutdown.builder(app.health).drainDelay(app.config.drainDelay())
                .onDrainStart(() -> {
                    if (jobs != null) {
                        jobs.beginDrain(app.config.drainDelay().plusSeconds(10));
                    }
                }).stopAccepting(app.connector::close)
                .inFlight(app.inFlight).balancerKeepAlive(NginxConfig.UPSTREAM_IDLE.plusMillis(500)).closeLast(app).build().runOnSigterm();
        app.server.join();
    }
}
