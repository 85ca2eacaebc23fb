package io.reporadar.pooling;

import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A HikariCP pool that is only opened when the deployment's connections fit the server, and that keeps
 * checking.
 *
 * <pre>{@code
 * PoolSettings settings = PoolSettings.fromEnvironment(System.getenv());
 * try (GuardedPool pool = GuardedPool.open(settings)) {
 *     DataSource db = pool.dataSource();
 * }
 * }</pre>
 *
 * <p>{@link #open} runs the {@linkplain ConnectionBudget#planned planned check} before any connection opens,
 * then the {@linkplain ConnectionBudget#live live check} over one direct connection, then opens the pool;
 * the live check repeats every {@link #DEFAULT_CHECK_INTERVAL} over a pooled connection. When the budget does
 * not fit, {@link BudgetPolicy#FAIL_FAST} refuses to open (and, later, records the failure for health checks),
 * {@link BudgetPolicy#WARN_AND_SHRINK} logs a warning and lowers this instance's maximum to the largest that
 * fits. Thread-safe.
 */
public final class GuardedPool implements AutoCloseable {

    /** How often the live check repeats. */
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(GuardedPool.class);

    private final PoolSettings settings;
    private final HikariDataSource dataSource;
    private final ScheduledExecutorService checker;
    private volatile ConnectionBudget lastBudget;
    private volatile RuntimeException lastFailure;

    private GuardedPool(PoolSettings settings, HikariDataSource dataSource, ConnectionBudget budget, Duration interval) {
        this.settings = settings;
        this.dataSource = dataSource;
        this.lastBudget = budget;
        this.checker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "reporadar-pool-guard-" + settings.applicationName());
            thread.setDaemon(true);
            return thread;
        });
        checker.scheduleWithFixedDelay(this::checkQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Checks the budget, then opens the pool; the live check repeats every {@link #DEFAULT_CHECK_INTERVAL}. */
    public static GuardedPool open(PoolSettings settings) throws SQLException {
        return open(settings, DEFAULT_CHECK_INTERVAL);
    }

    /**
     * Checks the budget, then opens the pool.
     *
     * @throws ConnectionBudgetException when the budget does not fit and the policy is {@link BudgetPolicy#FAIL_FAST}
     * @throws SQLException              when the server cannot be reached or refuses the checking connection
     */
    public static GuardedPool open(PoolSettings settings, Duration checkInterval) throws SQLException {
        ConnectionBudget planned = ConnectionBudget.planned(settings);
        PoolSettings effective = apply(settings, planned, "planned");
        ServerBudget server;
        try (Connection connection = connectDirectly(settings)) {
            server = ServerBudget.read(connection, settings.applicationNamePrefix());
        }
        effective = apply(effective, ConnectionBudget.live(effective, server), "live");
        ConnectionBudget live = ConnectionBudget.live(effective, server);
        HikariDataSource dataSource = new HikariDataSource(effective.toHikariConfig());
        LOG.info("pool {} opened: {}", settings.applicationName(), live.arithmetic());
        return new GuardedPool(effective, dataSource, live, checkInterval);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** The settings in force, with this instance's maximum as the guard left it. */
    public PoolSettings settings() {
        return settings;
    }

    /** The result of the last live check. */
    public ConnectionBudget lastBudget() {
        return lastBudget;
    }

    /** The pool maximum in force now (lowered by {@link BudgetPolicy#WARN_AND_SHRINK} if needed). */
    public int currentMax() {
        return dataSource.getHikariConfigMXBean().getMaximumPoolSize();
    }

    /** Runs the live check now over a pooled connection and applies the policy. */
    public ConnectionBudget checkNow() throws SQLException {
        PoolSettings now = settings.toBuilder().pool(Math.min(settings.min(), currentMax()), currentMax()).build();
        ConnectionBudget budget;
        try (Connection connection = dataSource.getConnection()) {
            budget = ConnectionBudget.live(now, ServerBudget.read(connection, settings.applicationNamePrefix()));
        }
        lastBudget = budget;
        if (budget.fits()) {
            lastFailure = null;
        } else if (settings.policy() == BudgetPolicy.WARN_AND_SHRINK) {
            resize(budget.largestFittingMax());
            LOG.warn("pool {}: {}; lowered DB_POOL_MAX to {} on this instance. Fix: {}", settings.applicationName(),
                    budget.arithmetic(), currentMax(), budget.fix());
        } else {
            ConnectionBudgetException failure = new ConnectionBudgetException(budget);
            lastFailure = failure;
            LOG.error("pool {}: {}", settings.applicationName(), failure.getMessage());
        }
        return budget;
    }

    /** The failure of the last live check under {@link BudgetPolicy#FAIL_FAST}, or {@code null}. */
    public RuntimeException lastFailure() {
        return lastFailure;
    }

    @Override
    public void close() {
        checker.shutdownNow();
        dataSource.close();
    }

    @Override
    public String toString() {
        return "GuardedPool[" + settings.applicationName() + ", max " + currentMax() + "]";
    }

    private void checkQuietly() {
        try {
            checkNow();
        } catch (SQLException | RuntimeException e) {
            LOG.warn("pool {}: live budget check failed: {}", settings.applicationName(), e.toString());
        }
    }

    /** Lowers the maximum; HikariCP retires the surplus as connections come back idle. */
    private void resize(int max) {
        int target = Math.max(1, max);
        HikariConfigMXBean mx = dataSource.getHikariConfigMXBean();
        if (mx.getMinimumIdle() > target) {
            mx.setMinimumIdle(target);
        }
        mx.setMaximumPoolSize(target);
        dataSource.getHikariPoolMXBean().softEvictConnections();
    }

    private static PoolSettings apply(PoolSettings settings, ConnectionBudget budget, String which) {
        if (budget.fits()) {
            return settings;
        }
        if (settings.policy() == BudgetPolicy.FAIL_FAST || budget.largestFittingMax() < 1) {
            throw new ConnectionBudgetException(budget);
        }
        int max = budget.largestFittingMax();
        LOG.warn("pool {} ({} check): {}; opening with DB_POOL_MAX {} instead of {}. Fix: {}", settings.applicationName(), which,
                budget.arithmetic(), max, settings.max(), budget.fix());
        return settings.toBuilder().pool(Math.min(settings.min(), max), max).build();
    }

    private static Connection connectDirectly(PoolSettings settings) throws SQLException {
        Properties properties = settings.url().properties();
        properties.setProperty("ApplicationName", settings.applicationName());
        if (!properties.containsKey("connectTimeout")) {
            properties.setProperty("connectTimeout", Long.toString(Math.max(1, settings.connectionTimeout().toSeconds())));
        }
        return DriverManager.getConnection(settings.url().jdbcUrl(), properties);
    }
}
