package io.reporadar.pooling;

import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;
import io.reporadar.core.DaemonThreads;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
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
 * the live check repeats every {@link #DEFAULT_CHECK_INTERVAL} in one round trip over an idle pooled
 * connection, or over a short-lived one of its own when the pool is saturated. When the budget does
 * not fit, {@link BudgetPolicy#FAIL_FAST} refuses to open (and, later, records the failure for health checks),
 * {@link BudgetPolicy#WARN_AND_SHRINK} logs a warning and lowers this instance's maximum to the largest that
 * fits.
 *
 * <p>With the adaptive budget ({@link PoolSettings#adaptive()}), the instances register in a table and each
 * one's maximum becomes its share of the budget among the live instances, applied at runtime through
 * HikariCP's MXBean: when an instance stops heartbeating, the others grow within
 * {@code 3 × DB_POOL_HEARTBEAT} plus one heartbeat; when one joins, the others shrink at their next heartbeat.
 * When the registry cannot be reached, the instance falls back to the static {@code DB_POOL_MAX}, which the
 * planned check proved to fit. Thread-safe.
 */
public final class GuardedPool implements AutoCloseable {

    /** How often the live check repeats. */
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(GuardedPool.class);

    private final PoolSettings settings;
    private final HikariDataSource dataSource;
    private final ScheduledExecutorService scheduler;
    /** The adaptive budget's registry, {@code null} when it is off. */
    private final @Nullable InstanceRegistry registry;
    private volatile ConnectionBudget lastBudget;
    private volatile @Nullable RuntimeException lastFailure;
    private volatile int liveInstances;
    private volatile @Nullable ServerBudget lastServer;
    private final ClassifyingDataSource guarded;
    /** Connections in use, sampled once a second for the last ten minutes, for {@link #sizingAdvice}. */
    private final int[] inUse = new int[600];
    private int samples;

    private GuardedPool(PoolSettings settings, HikariDataSource dataSource, ConnectionBudget budget, Duration interval,
            @Nullable InstanceRegistry registry, int liveInstances) {
        this.settings = settings;
        this.dataSource = dataSource;
        this.lastBudget = budget;
        this.registry = registry;
        this.liveInstances = liveInstances;
        this.guarded = new ClassifyingDataSource(dataSource, this);
        this.scheduler = DaemonThreads.scheduler("pool-guard-" + settings.applicationName());
        // Each task catches its own failures and close() cancels them all: their futures have nothing to tell.
        Future<?> unusedChecks = scheduler.scheduleWithFixedDelay(this::checkQuietly, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
        Future<?> unusedSamples = scheduler.scheduleAtFixedRate(this::sample, 1, 1, TimeUnit.SECONDS);
        if (registry != null) {
            long beat = registry.heartbeatInterval().toMillis();
            Future<?> unusedHeartbeats = scheduler.scheduleWithFixedDelay(this::heartbeatQuietly, beat, beat, TimeUnit.MILLISECONDS);
        }
    }

    /** Checks the budget, then opens the pool; the live check repeats every {@link #DEFAULT_CHECK_INTERVAL}. */
    public static GuardedPool open(PoolSettings settings) throws SQLException {
        return open(settings, DEFAULT_CHECK_INTERVAL);
    }

    /**
     * Checks the budget, then opens the pool.
     *
     * @throws ConnectionBudgetException when the budget does not fit and the policy is {@link BudgetPolicy#FAIL_FAST},
     *                                   or when the adaptive budget has no connection left for this instance
     * @throws SQLException              when the server cannot be reached or refuses the checking connection
     */
    public static GuardedPool open(PoolSettings settings, Duration checkInterval) throws SQLException {
        PoolSettings effective = apply(settings, ConnectionBudget.planned(settings), "planned");
        Duration heartbeat = settings.heartbeat();
        InstanceRegistry registry = heartbeat == null ? null : new InstanceRegistry(settings, heartbeat);
        ServerBudget server;
        int live = 0;
        try (Connection connection = PoolConnections.direct(settings)) {
            server = ServerBudget.read(connection, settings.applicationNamePrefix());
            if (registry == null) {
                effective = apply(effective, ConnectionBudget.live(effective, server), "live");
            } else {
                int poolBudget = ConnectionBudget.live(effective, server).available() - settings.otherPools();
                try {
                    InstanceRegistry.Share share = join(registry, connection, poolBudget, settings);
                    effective = effective.toBuilder().pool(Math.min(settings.min(), share.cap), share.cap).build();
                    live = share.liveInstances;
                } catch (SQLException unreachable) {
                    LOG.warn("pool {}: the instance registry is unreachable ({}); using the static DB_POOL_MAX {}",
                            settings.applicationName(), unreachable.getMessage(), effective.max());
                    effective = apply(effective, ConnectionBudget.live(effective, server), "live");
                }
            }
        }
        ConnectionBudget budget = ConnectionBudget.live(effective, server);
        HikariDataSource dataSource = new HikariDataSource(effective.toHikariConfig());
        if (live > 0) {
            LOG.info("pool {} opened with DB_POOL_MAX {}: its share of the {} connections the service's pools may use,"
                    + " among {} live instances", settings.applicationName(), effective.max(),
                    budget.available() - settings.otherPools(), live);
        } else {
            LOG.info("pool {} opened with DB_POOL_MAX {}: {}", settings.applicationName(), effective.max(), budget.arithmetic());
        }
        return new GuardedPool(settings, dataSource, budget, checkInterval, registry, live);
    }

    /**
     * Registers and waits for a share: when the others hold the whole budget, they release their surplus at
     * their next heartbeat, so a newcomer waits up to the liveness timeout plus one heartbeat.
     */
    private static InstanceRegistry.Share join(InstanceRegistry registry, Connection connection, int poolBudget,
            PoolSettings settings) throws SQLException {
        Duration heartbeat = registry.heartbeatInterval();
        long deadline = System.nanoTime() + registry.livenessTimeout().plus(heartbeat).toNanos();
        while (true) {
            InstanceRegistry.Share share = registry.heartbeat(connection, poolBudget);
            if (share.cap >= 1) {
                return share;
            }
            if (System.nanoTime() > deadline) {
                registry.leave(connection);
                throw ConnectionBudgetException.noShareLeft(settings, share.liveInstances, poolBudget);
            }
            try {
                Thread.sleep(heartbeat.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                registry.leave(connection);
                throw new SQLException("interrupted while waiting for a share of the connection budget", e);
            }
        }
    }

    /**
     * The pool. A connection it cannot hand out fails with {@link ConnectionRefusedException}, which says
     * whether the server refused (and how) or the pool was exhausted.
     */
    public DataSource dataSource() {
        return guarded;
    }

    /** How often connections were refused for {@code reason} since the pool opened. */
    public long refusals(ConnectionRefusal reason) {
        return guarded.refusals(reason);
    }

    /** The verdict for health checks: ample, near the limit, or exceeded (the last live check). */
    public Headroom headroom() {
        return Headroom.of(lastBudget);
    }

    /** What the server reported at the last live check, {@code null} before the first periodic one. */
    public @Nullable ServerBudget lastServerBudget() {
        return lastServer;
    }

    /**
     * Advice on {@code DB_POOL_MAX} from the connections in use over the last ten minutes; advice only.
     *
     * @param databaseCores the database server's cores, 0 when unknown
     * @param spindles      its effective spindles (0 when the data set is cached)
     */
    public SizingAdvice sizingAdvice(int databaseCores, int spindles) {
        synchronized (inUse) {
            int count = Math.min(samples, inUse.length);
            return SizingAdvice.from(inUse, count, currentMax(), Math.max(1, liveInstances > 0 ? liveInstances : settings.instances()),
                    databaseCores, spindles);
        }
    }

    private void sample() {
        try {
            int active = activeConnections();
            synchronized (inUse) {
                inUse[samples % inUse.length] = active;
                samples++;
            }
        } catch (RuntimeException closed) {
            // the pool is closing
        }
    }

    /** Connections of this pool that are in use now. */
    public int activeConnections() {
        return dataSource.getHikariPoolMXBean().getActiveConnections();
    }

    /** The settings as configured; {@link #currentMax()} is the maximum in force. */
    public PoolSettings settings() {
        return settings;
    }

    /** The result of the last live check. */
    public ConnectionBudget lastBudget() {
        return lastBudget;
    }

    /** The pool maximum in force now (lowered by the guard, or set by the adaptive budget). */
    public int currentMax() {
        return dataSource.getHikariConfigMXBean().getMaximumPoolSize();
    }

    /** Live instances of the service at the last heartbeat of the adaptive budget; 0 when it is off. */
    public int liveInstances() {
        return liveInstances;
    }

    /**
     * Runs the live check now and applies the policy: one round trip over an idle pooled connection, or over
     * a short-lived connection of its own when none is idle, so that a saturated pool never blocks the check.
     */
    public ConnectionBudget checkNow() throws SQLException {
        int max = currentMax();
        PoolSettings now = settings.toBuilder().pool(Math.min(settings.min(), max), max).build();
        ServerBudget server;
        try (Connection connection = checkConnection()) {
            server = ServerBudget.read(connection, settings.applicationNamePrefix());
        }
        ConnectionBudget budget = ConnectionBudget.live(now, server);
        lastServer = server;
        lastBudget = budget;
        if (budget.fits() || registry != null) {
            // Under the adaptive budget the registry keeps the caps within the budget; the check feeds it.
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

    /** Runs a heartbeat of the adaptive budget now (over a connection as the live check gets one) and applies the cap. */
    public int heartbeatNow() throws SQLException {
        if (registry == null) {
            throw new IllegalStateException("the adaptive budget is off for " + settings.applicationName() + " (DB_POOL_ADAPTIVE)");
        }
        InstanceRegistry.Share share;
        try (Connection connection = checkConnection()) {
            share = registry.heartbeat(connection, lastBudget.available() - settings.otherPools());
        }
        liveInstances = share.liveInstances;
        if (share.cap >= 1 && share.cap != currentMax()) {
            LOG.info("pool {}: DB_POOL_MAX {} -> {} ({} live instances)", settings.applicationName(), currentMax(), share.cap,
                    share.liveInstances);
            resize(share.cap);
        }
        return currentMax();
    }

    /** The failure of the last live check under {@link BudgetPolicy#FAIL_FAST}, {@code null} when it passed. */
    public @Nullable RuntimeException lastFailure() {
        return lastFailure;
    }

    /** Stops checking, leaves the registry (releasing this instance's share) and closes the pool. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        if (registry != null) {
            try (Connection connection = PoolConnections.direct(settings)) {
                registry.leave(connection);
            } catch (SQLException e) {
                LOG.warn("pool {}: could not leave the instance registry ({}); the others take over its share after {}",
                        settings.applicationName(), e.getMessage(), registry.livenessTimeout());
            }
        }
        dataSource.close();
    }

    /** Stops everything without leaving the registry, as a process killed with SIGKILL would; for tests. */
    void halt() {
        scheduler.shutdownNow();
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

    private void heartbeatQuietly() {
        try {
            heartbeatNow();
        } catch (SQLException | RuntimeException e) {
            LOG.warn("pool {}: heartbeat failed ({}); falling back to the static DB_POOL_MAX {}", settings.applicationName(),
                    e.toString(), settings.max());
            if (currentMax() != settings.max()) {
                resize(settings.max());
            }
        }
    }

    /**
     * Sets the maximum. Growing takes effect at once; when shrinking, idle connections are retired now and busy
     * ones as they come back, so the pool never exceeds the new maximum plus the connections in use.
     */
    private void resize(int max) {
        int target = Math.max(1, max);
        HikariConfigMXBean mx = dataSource.getHikariConfigMXBean();
        boolean shrinking = target < mx.getMaximumPoolSize();
        if (mx.getMinimumIdle() > target) {
            mx.setMinimumIdle(target);
        } else if (!shrinking && mx.getMinimumIdle() < Math.min(settings.min(), target)) {
            mx.setMinimumIdle(Math.min(settings.min(), target));
        }
        mx.setMaximumPoolSize(target);
        if (shrinking) {
            dataSource.getHikariPoolMXBean().softEvictConnections();
        }
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

    /** An idle pooled connection when there is one (no connection set-up), else a short-lived one of the guard's own. */
    private Connection checkConnection() throws SQLException {
        if (dataSource.getHikariPoolMXBean().getIdleConnections() > 0) {
            return dataSource.getConnection();
        }
        return PoolConnections.direct(settings);
    }
}
