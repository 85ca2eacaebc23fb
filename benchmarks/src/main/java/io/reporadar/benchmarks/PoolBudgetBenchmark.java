package io.reporadar.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import io.reporadar.pooling.ConnectionBudget;
import io.reporadar.pooling.PoolSettings;
import io.reporadar.pooling.ServerBudget;
import io.reporadar.testing.PostgresDatabase;
import io.reporadar.testing.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The pooling guards' costs, each next to its peer in the same run.
 *
 * <ul>
 *   <li>{@code planned*}: the start-up check, before any connection, against HikariCP validating its own
 *       configuration (the only check a plain HikariCP deployment gets).</li>
 *   <li>{@code live*}: the live check's one round trip ({@link ServerBudget#read}) against a bare
 *       {@code SELECT 1} on the same connection, the floor for any query, and against the naive
 *       {@code count(*) FROM pg_stat_activity}, which over-counts background workers.</li>
 * </ul>
 *
 * The live benchmarks start a private PostgreSQL through test-support.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@SuppressWarnings("NullAway.Init") // JMH sets the @Param fields and runs @Setup before any benchmark method
public class PoolBudgetBenchmark {

    private static final Map<String, String> ENV = Map.of(
            "DATABASE_URL", "postgresql://app:s3cr%40t@db1:5432,db2:5432/reporadar?sslmode=require&application_name=radar",
            "DB_POOL_MIN", "2", "DB_POOL_MAX", "10", "INSTANCE_COUNT", "3", "INSTANCE_SURGE", "1", "INSTANCE_ID", "reporadar-1");

    private PoolSettings settings;
    private HikariConfig hikariConfig;
    private PostgresServer server;
    private PostgresDatabase database;
    private Connection connection;
    private Statement statement;

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        settings = PoolSettings.fromEnvironment(ENV);
        hikariConfig = settings.toHikariConfig();
        server = PostgresServer.start(Map.of("max_connections", "20"));
        database = server.createDatabase();
        connection = database.connect();
        statement = connection.createStatement();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        statement.close();
        connection.close();
        database.close();
        server.close();
    }

    /** The whole start-up path before a connection: read and validate the variables, then the arithmetic. */
    @Benchmark
    public boolean plannedCheckFromEnvironment() {
        return ConnectionBudget.planned(PoolSettings.fromEnvironment(ENV)).fits();
    }

    /** The arithmetic alone, on parsed settings. */
    @Benchmark
    public boolean plannedCheck() {
        return ConnectionBudget.planned(settings).fits();
    }

    /** Peer: HikariCP's own validation of one pool's configuration. */
    @Benchmark
    public HikariConfig plannedPeerHikariValidate() {
        HikariConfig copy = new HikariConfig();
        hikariConfig.copyStateTo(copy);
        copy.validate();
        return copy;
    }

    @Benchmark
    public int liveCheck() throws SQLException {
        return ConnectionBudget.live(settings, ServerBudget.read(connection, settings.applicationNamePrefix())).available();
    }

    /** Peer: the floor for any query on this connection. */
    @Benchmark
    public int livePeerSelectOne() throws SQLException {
        try (ResultSet rs = statement.executeQuery("SELECT 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Peer: the usual hand-written usage query (counts background workers too). */
    @Benchmark
    public int livePeerNaiveCount() throws SQLException {
        try (ResultSet rs = statement.executeQuery("SELECT count(*) FROM pg_stat_activity")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
