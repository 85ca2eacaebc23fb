package io.reporadar.pooling;

import com.zaxxer.hikari.HikariDataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/**
 * A {@link GuardedPool}'s pool as handed to the application: a connection it cannot hand out fails with a
 * {@link ConnectionRefusedException} saying why (the server refused, and how, or the pool was exhausted), and
 * is counted by reason; everything else is HikariCP's. Thread-safe.
 */
final class ClassifyingDataSource implements DataSource {

    private final HikariDataSource dataSource;
    private final GuardedPool guard;
    private final Map<ConnectionRefusal, LongAdder> refusals = new EnumMap<>(ConnectionRefusal.class);

    ClassifyingDataSource(HikariDataSource dataSource, GuardedPool guard) {
        this.dataSource = dataSource;
        this.guard = guard;
        for (ConnectionRefusal reason : ConnectionRefusal.values()) {
            refusals.put(reason, new LongAdder());
        }
    }

    /** How often connections were refused for {@code reason}. */
    long refusals(ConnectionRefusal reason) {
        return counter(reason).sum();
    }

    @Override
    public Connection getConnection() throws SQLException {
        try {
            return dataSource.getConnection();
        } catch (SQLException e) {
            throw classified(e);
        }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the pool's credentials come from DATABASE_URL");
    }

    private SQLException classified(SQLException e) {
        Optional<ConnectionRefusal> reason = ConnectionRefusal.classify(e);
        if (reason.isEmpty()) {
            return e;
        }
        counter(reason.get()).increment();
        return new ConnectionRefusedException(guard.settings().applicationName(), reason.get(), guard.lastBudget(),
                guard.currentMax(), e);
    }

    private LongAdder counter(ConnectionRefusal reason) {
        return Objects.requireNonNull(refusals.get(reason), "every reason has its counter");
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return dataSource.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        dataSource.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        dataSource.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return dataSource.getLoginTimeout();
    }

    @Override
    public java.util.logging.Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return dataSource.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(dataSource) ? type.cast(dataSource) : dataSource.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(dataSource) || dataSource.isWrapperFor(type);
    }
}
