package io.reporadar.pooling;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * How {@link PoolSettings} become connections: the HikariCP configuration of the pool, and the direct
 * connections the guard opens for itself (the start-up checks, the checks of a saturated pool, leaving the
 * instance registry). Both carry the credentials outside the URL and name the instance
 * ({@code ApplicationName=<service>/<instance>}) for attribution in {@code pg_stat_activity}.
 * Stateless and thread-safe.
 */
final class PoolConnections {

    private PoolConnections() {
    }

    /** See {@link PoolSettings#toHikariConfig()}. */
    static HikariConfig hikariConfig(PoolSettings settings) {
        DatabaseUrl url = settings.url();
        HikariConfig config = new HikariConfig();
        config.setPoolName(settings.applicationName());
        config.setJdbcUrl(url.jdbcUrl());
        // The clear values, sslpassword included: parameters() masks them.
        Properties properties = url.propertiesWithSecrets();
        String user = (String) properties.remove("user");
        if (user != null) {
            config.setUsername(user);
        }
        String password = (String) properties.remove("password");
        if (password != null) {
            config.setPassword(password);
        }
        properties.stringPropertyNames().forEach(name -> config.addDataSourceProperty(name, properties.getProperty(name)));
        config.addDataSourceProperty("ApplicationName", settings.applicationName());
        if (!url.parameters().containsKey("tcpKeepAlive")) {
            config.addDataSourceProperty("tcpKeepAlive", "true");
        }
        config.setMinimumIdle(settings.min());
        config.setMaximumPoolSize(settings.max());
        config.setConnectionTimeout(settings.connectionTimeout().toMillis());
        if (settings.min() < settings.max()) {
            // HikariCP warns that an idle timeout means nothing to a fixed-size pool.
            config.setIdleTimeout(settings.idleTimeout().toMillis());
        }
        MetricsTrackerFactory metrics = settings.hikariMetrics();
        if (metrics != null) {
            config.setMetricsTrackerFactory(metrics);
        }
        return config;
    }

    /**
     * A connection of the guard's own, outside the pool, with the pool's connection timeout unless the URL
     * gives {@code connect_timeout}.
     */
    static Connection direct(PoolSettings settings) throws SQLException {
        Properties properties = settings.url().propertiesWithSecrets();
        properties.setProperty("ApplicationName", settings.applicationName());
        if (!properties.containsKey("connectTimeout")) {
            properties.setProperty("connectTimeout", Long.toString(Math.max(1, settings.connectionTimeout().toSeconds())));
        }
        return DriverManager.getConnection(settings.url().jdbcUrl(), properties);
    }
}
