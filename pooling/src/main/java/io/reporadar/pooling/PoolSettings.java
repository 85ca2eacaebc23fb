package io.reporadar.pooling;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import io.reporadar.core.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The connection-pool settings of one instance, and of the deployment it belongs to, read from the
 * deployment's environment variables.
 *
 * <table>
 *   <caption>Environment variables</caption>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code DATABASE_URL}</td><td>required</td><td>libpq URL, see {@link DatabaseUrl}</td></tr>
 *   <tr><td>{@code DB_POOL_MIN}</td><td>2</td><td>idle connections kept per instance</td></tr>
 *   <tr><td>{@code DB_POOL_MAX}</td><td>10</td><td>pool ceiling per instance</td></tr>
 *   <tr><td>{@code INSTANCE_COUNT}</td><td>1</td><td>instances running at once in steady state</td></tr>
 *   <tr><td>{@code INSTANCE_SURGE}</td><td>0</td><td>extra instances during a rolling deploy</td></tr>
 *   <tr><td>{@code DB_OTHER_POOLS}</td><td>0</td><td>connections held by other pools of the service, in all</td></tr>
 *   <tr><td>{@code DB_RESERVED_CONNECTIONS}</td><td>3</td><td>headroom left for psql, migrations, monitoring</td></tr>
 *   <tr><td>{@code DB_MAX_CONNECTIONS}</td><td>100</td><td>the server's {@code max_connections}, for the check
 *       made before any connection opens; the live guard reads the real value</td></tr>
 *   <tr><td>{@code DB_POOL_POLICY}</td><td>fail-fast</td><td>{@code fail-fast} or {@code warn-and-shrink}</td></tr>
 *   <tr><td>{@code DB_POOL_ADAPTIVE}</td><td>false</td><td>share the budget between the live instances, see
 *       {@link GuardedPool}</td></tr>
 *   <tr><td>{@code DB_POOL_HEARTBEAT}</td><td>5s</td><td>time between heartbeats of the adaptive budget</td></tr>
 *   <tr><td>{@code DB_POOL_CONNECTION_TIMEOUT}</td><td>5s</td><td>time to wait for a connection</td></tr>
 *   <tr><td>{@code DB_POOL_IDLE_TIMEOUT}</td><td>30s</td><td>time before an idle surplus connection closes</td></tr>
 *   <tr><td>{@code SERVICE_NAME}</td><td>reporadar</td><td>first half of {@code ApplicationName}</td></tr>
 *   <tr><td>{@code INSTANCE_ID}</td><td>{@code HOSTNAME}</td><td>second half of {@code ApplicationName}</td></tr>
 * </table>
 *
 * <p>Durations are written as {@link Durations} reads them: {@code 5s}, {@code 250ms}, {@code 1m}, ISO-8601
 * {@code PT5S}, or a bare number of milliseconds (their unit before units were accepted).
 *
 * <p>Nothing is clamped: a bad value is an error naming its variable, and every error is reported at once.
 * The password never appears in {@link #toString()}. Immutable and thread-safe; {@link Builder} is not.
 */
public final class PoolSettings {

    public static final int DEFAULT_MIN = 2;
    public static final int DEFAULT_MAX = 10;
    public static final int DEFAULT_RESERVED = 3;
    public static final int DEFAULT_MAX_CONNECTIONS = 100;
    /** PostgreSQL's default {@code superuser_reserved_connections}, assumed before the server is asked. */
    public static final int DEFAULT_SUPERUSER_RESERVED = 3;
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    public static final String DEFAULT_SERVICE = "reporadar";
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(5);

    private final DatabaseUrl url;
    private final int min;
    private final int max;
    private final int instances;
    private final int surge;
    private final int otherPools;
    private final int reserved;
    private final int assumedMaxConnections;
    private final BudgetPolicy policy;
    private final Duration connectionTimeout;
    private final Duration idleTimeout;
    private final String service;
    private final String instanceId;
    private final @Nullable Duration heartbeat;
    private final @Nullable MetricsTrackerFactory metrics;

    private PoolSettings(Builder b, DatabaseUrl url) {
        this.url = url;
        this.min = b.min;
        this.max = b.max;
        this.instances = b.instances;
        this.surge = b.surge;
        this.otherPools = b.otherPools;
        this.reserved = b.reserved;
        this.assumedMaxConnections = b.assumedMaxConnections;
        this.policy = b.policy;
        this.connectionTimeout = b.connectionTimeout;
        this.idleTimeout = b.idleTimeout;
        this.service = b.service;
        this.instanceId = b.instanceId;
        this.heartbeat = b.heartbeat;
        this.metrics = b.metrics;
    }

    /**
     * Reads the settings from environment variables (see the class comment).
     *
     * @throws IllegalArgumentException listing every missing or malformed variable by name
     */
    public static PoolSettings fromEnvironment(Map<String, String> env) {
        return PoolEnvironment.read(env);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings, to change some. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.url = url;
        b.min = min;
        b.max = max;
        b.instances = instances;
        b.surge = surge;
        b.otherPools = otherPools;
        b.reserved = reserved;
        b.assumedMaxConnections = assumedMaxConnections;
        b.policy = policy;
        b.connectionTimeout = connectionTimeout;
        b.idleTimeout = idleTimeout;
        b.service = service;
        b.instanceId = instanceId;
        b.heartbeat = heartbeat;
        b.metrics = metrics;
        return b;
    }

    /**
     * A HikariCP configuration for this instance: credentials as user and password (which HikariCP masks),
     * every other URL parameter as a driver property, {@code ApplicationName=<service>/<instance>} for
     * attribution, TCP keepalive on unless the URL says otherwise.
     */
    public HikariConfig toHikariConfig() {
        return PoolConnections.hikariConfig(this);
    }

    /** {@code <service>/<instance>}: how this instance's sessions are named in {@code pg_stat_activity}. */
    public String applicationName() {
        return service + "/" + instanceId;
    }

    /** {@code <service>/}: the prefix every instance of the service shares. */
    public String applicationNamePrefix() {
        return service + "/";
    }

    public DatabaseUrl url() {
        return url;
    }

    public int min() {
        return min;
    }

    public int max() {
        return max;
    }

    public int instances() {
        return instances;
    }

    public int surge() {
        return surge;
    }

    public int otherPools() {
        return otherPools;
    }

    public int reserved() {
        return reserved;
    }

    public int assumedMaxConnections() {
        return assumedMaxConnections;
    }

    public BudgetPolicy policy() {
        return policy;
    }

    public Duration connectionTimeout() {
        return connectionTimeout;
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    public String service() {
        return service;
    }

    public String instanceId() {
        return instanceId;
    }

    /** Whether the budget is shared between the live instances (the adaptive budget). */
    public boolean adaptive() {
        return heartbeat != null;
    }

    /** The heartbeat of the adaptive budget, {@code null} when it is off. */
    public @Nullable Duration heartbeat() {
        return heartbeat;
    }

    /** HikariCP's own meters for the pool, {@code null} for none; see {@link Builder#hikariMetrics}. */
    @Nullable MetricsTrackerFactory hikariMetrics() {
        return metrics;
    }

    @Override
    public String toString() {
        return "PoolSettings[" + applicationName() + ", " + url + ", DB_POOL_MIN=" + min + ", DB_POOL_MAX=" + max
                + ", INSTANCE_COUNT=" + instances + ", INSTANCE_SURGE=" + surge + ", DB_OTHER_POOLS=" + otherPools
                + ", DB_RESERVED_CONNECTIONS=" + reserved + ", DB_MAX_CONNECTIONS=" + assumedMaxConnections
                + ", DB_POOL_POLICY=" + policy + (heartbeat == null ? "" : ", DB_POOL_ADAPTIVE=true, DB_POOL_HEARTBEAT="
                + heartbeat.toMillis()) + "]";
    }

    /**
     * Builds {@link PoolSettings} in code; names in messages are the environment variables'. Not thread-safe;
     * {@link #build()} copies its state.
     */
    public static final class Builder {
        private @Nullable DatabaseUrl url;
        private int min = DEFAULT_MIN;
        private int max = DEFAULT_MAX;
        private int instances = 1;
        private int surge;
        private int otherPools;
        private int reserved = DEFAULT_RESERVED;
        private int assumedMaxConnections = DEFAULT_MAX_CONNECTIONS;
        private BudgetPolicy policy = BudgetPolicy.FAIL_FAST;
        private Duration connectionTimeout = DEFAULT_CONNECTION_TIMEOUT;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private String service = DEFAULT_SERVICE;
        private String instanceId = "instance";
        private @Nullable Duration heartbeat;
        private @Nullable MetricsTrackerFactory metrics;

        private Builder() {
        }

        public Builder url(DatabaseUrl url) {
            this.url = url;
            return this;
        }

        public Builder url(String libpqUrl) {
            return url(DatabaseUrl.parse(libpqUrl));
        }

        /** {@code DB_POOL_MIN} and {@code DB_POOL_MAX}. */
        public Builder pool(int min, int max) {
            this.min = min;
            this.max = max;
            return this;
        }

        /** {@code INSTANCE_COUNT} and {@code INSTANCE_SURGE}. */
        public Builder instances(int instances, int surge) {
            this.instances = instances;
            this.surge = surge;
            return this;
        }

        public Builder otherPools(int connections) {
            this.otherPools = connections;
            return this;
        }

        public Builder reserved(int connections) {
            this.reserved = connections;
            return this;
        }

        public Builder assumedMaxConnections(int maxConnections) {
            this.assumedMaxConnections = maxConnections;
            return this;
        }

        public Builder policy(BudgetPolicy policy) {
            this.policy = policy;
            return this;
        }

        public Builder timeouts(Duration connectionTimeout, Duration idleTimeout) {
            this.connectionTimeout = connectionTimeout;
            this.idleTimeout = idleTimeout;
            return this;
        }

        /** Turns the adaptive budget on ({@code DB_POOL_ADAPTIVE}, {@code DB_POOL_HEARTBEAT}); {@code null} turns it off. */
        public Builder adaptive(@Nullable Duration heartbeat) {
            this.heartbeat = heartbeat;
            return this;
        }

        /**
         * HikariCP's own meters for the pool (connections active, idle and pending, acquisition and usage times):
         * {@code new MicrometerMetricsTrackerFactory(registry)} publishes them as {@code hikaricp.*}; {@code null}
         * for none.
         */
        public Builder hikariMetrics(@Nullable MetricsTrackerFactory metrics) {
            this.metrics = metrics;
            return this;
        }

        /** {@code SERVICE_NAME} and {@code INSTANCE_ID}. */
        public Builder identity(String service, String instanceId) {
            this.service = service;
            this.instanceId = instanceId;
            return this;
        }

        /**
         * Checks the settings and builds them.
         *
         * @throws IllegalArgumentException listing every problem, named as the environment variables
         */
        public PoolSettings build() {
            List<String> problems = new ArrayList<>();
            if (url == null) {
                problems.add(LibpqUrlParser.MISSING);
            }
            return build(problems);
        }

        /**
         * Checks the settings and builds them, reporting first the {@code problems} found before (reading the
         * environment), which say why when the URL is missing.
         */
        PoolSettings build(List<String> problems) {
            addProblems(problems);
            DatabaseUrl checkedUrl = url;
            if (!problems.isEmpty() || checkedUrl == null) {
                throw new IllegalArgumentException("invalid pool configuration: " + String.join("; ", problems));
            }
            return new PoolSettings(this, checkedUrl);
        }

        private void addProblems(List<String> problems) {
            check(problems, "DB_POOL_MIN", min, 0);
            check(problems, "DB_POOL_MAX", max, 1);
            if (min > max && max >= 1) {
                problems.add("DB_POOL_MIN: " + min + " (expected: <= DB_POOL_MAX, which is " + max + ")");
            }
            check(problems, "INSTANCE_COUNT", instances, 1);
            check(problems, "INSTANCE_SURGE", surge, 0);
            check(problems, "DB_OTHER_POOLS", otherPools, 0);
            check(problems, "DB_RESERVED_CONNECTIONS", reserved, 0);
            check(problems, "DB_MAX_CONNECTIONS", assumedMaxConnections, 1);
            String name = service + "/" + instanceId;
            if (!name.matches("[\\x21-\\x7e]{3,63}")) {
                problems.add("SERVICE_NAME/INSTANCE_ID: " + name
                        + " (expected: at most 63 printable ASCII characters without spaces, as PostgreSQL keeps in application_name)");
            }
            if (policy == null) {
                problems.add("DB_POOL_POLICY: null (expected: fail-fast or warn-and-shrink)");
            }
            if (connectionTimeout == null || connectionTimeout.toMillis() < 250) {
                problems.add("DB_POOL_CONNECTION_TIMEOUT: " + readable(connectionTimeout) + " (expected: >= 250ms)");
            }
            if (heartbeat != null && heartbeat.toMillis() < 100) {
                problems.add("DB_POOL_HEARTBEAT: " + readable(heartbeat) + " (expected: >= 100ms)");
            }
            if (idleTimeout == null || idleTimeout.toMillis() < 10_000) {
                problems.add("DB_POOL_IDLE_TIMEOUT: " + readable(idleTimeout) + " (expected: >= 10s)");
            }
        }

        /** As the variables spell it ({@code 100ms}, {@code 5s}); {@code null} for a timeout left out in code. */
        private static String readable(@Nullable Duration d) {
            return d == null ? "null" : Durations.format(d);
        }

        private static void check(List<String> problems, String name, int value, int least) {
            if (value < least) {
                problems.add(name + ": " + value + " (expected: >= " + least + ")");
            }
        }
    }
}
