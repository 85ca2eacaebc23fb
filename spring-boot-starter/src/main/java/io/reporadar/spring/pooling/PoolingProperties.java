package io.reporadar.spring.pooling;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code reporadar.pooling.*}: the DataSource as a HikariCP pool whose size is checked against the PostgreSQL
 * server's connection budget at start-up and every 30 s. Each property may be left out in favour of the
 * deployment's environment variable or the Spring property named in its description.
 */
@ConfigurationProperties("reporadar.pooling")
public class PoolingProperties {

    /** Whether the starter provides the guarded DataSource (when a PostgreSQL database is configured). */
    private boolean enabled = true;

    /** The database, libpq form: postgresql://user:password@host:5432/db?sslmode=require (DATABASE_URL; else spring.datasource.url with spring.datasource.username and password). */
    private @Nullable String databaseUrl;

    /** Idle connections kept per instance (DB_POOL_MIN; else spring.datasource.hikari.minimum-idle; default 2). */
    private @Nullable Integer min;

    /** Pool ceiling per instance (DB_POOL_MAX; else spring.datasource.hikari.maximum-pool-size; default 10). */
    private @Nullable Integer max;

    /** Instances running at once, what max x instances must fit (INSTANCE_COUNT; default 1). */
    private @Nullable Integer instances;

    /** Extra instances during a rolling deploy (INSTANCE_SURGE; default 0). */
    private @Nullable Integer surge;

    /** Connections other pools of the service hold in all (DB_OTHER_POOLS; default 0). */
    private @Nullable Integer otherPools;

    /** Headroom left for psql, migrations and monitoring (DB_RESERVED_CONNECTIONS; default 3). */
    private @Nullable Integer reservedConnections;

    /** The server's max_connections, for the check before any connection opens (DB_MAX_CONNECTIONS; default 100). */
    private @Nullable Integer maxConnections;

    /** fail-fast refuses to start when the pools do not fit; warn-and-shrink lowers this instance's maximum (DB_POOL_POLICY). */
    private @Nullable String policy;

    /** How long to wait for a pooled connection, such as 5s (DB_POOL_CONNECTION_TIMEOUT; else spring.datasource.hikari.connection-timeout). */
    private @Nullable String connectionTimeout;

    /** Idle time before a surplus connection closes, such as 30s (DB_POOL_IDLE_TIMEOUT; else spring.datasource.hikari.idle-timeout). */
    private @Nullable String idleTimeout;

    /** Share the budget between the live instances through heartbeats in PostgreSQL (DB_POOL_ADAPTIVE; default false). */
    private @Nullable Boolean adaptive;

    /** Time between heartbeats of the adaptive budget, such as 5s (DB_POOL_HEARTBEAT). */
    private @Nullable String heartbeat;

    /** The service's name in PostgreSQL's application_name (SERVICE_NAME; else spring.application.name). */
    private @Nullable String serviceName;

    /** This instance's name in application_name (INSTANCE_ID; else HOSTNAME). */
    private @Nullable String instanceId;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public @Nullable String getDatabaseUrl() {
        return databaseUrl;
    }

    public void setDatabaseUrl(@Nullable String databaseUrl) {
        this.databaseUrl = databaseUrl;
    }

    public @Nullable Integer getMin() {
        return min;
    }

    public void setMin(@Nullable Integer min) {
        this.min = min;
    }

    public @Nullable Integer getMax() {
        return max;
    }

    public void setMax(@Nullable Integer max) {
        this.max = max;
    }

    public @Nullable Integer getInstances() {
        return instances;
    }

    public void setInstances(@Nullable Integer instances) {
        this.instances = instances;
    }

    public @Nullable Integer getSurge() {
        return surge;
    }

    public void setSurge(@Nullable Integer surge) {
        this.surge = surge;
    }

    public @Nullable Integer getOtherPools() {
        return otherPools;
    }

    public void setOtherPools(@Nullable Integer otherPools) {
        this.otherPools = otherPools;
    }

    public @Nullable Integer getReservedConnections() {
        return reservedConnections;
    }

    public void setReservedConnections(@Nullable Integer reservedConnections) {
        this.reservedConnections = reservedConnections;
    }

    public @Nullable Integer getMaxConnections() {
        return maxConnections;
    }

    public void setMaxConnections(@Nullable Integer maxConnections) {
        this.maxConnections = maxConnections;
    }

    public @Nullable String getPolicy() {
        return policy;
    }

    public void setPolicy(@Nullable String policy) {
        this.policy = policy;
    }

    public @Nullable String getConnectionTimeout() {
        return connectionTimeout;
    }

    public void setConnectionTimeout(@Nullable String connectionTimeout) {
        this.connectionTimeout = connectionTimeout;
    }

    public @Nullable String getIdleTimeout() {
        return idleTimeout;
    }

    public void setIdleTimeout(@Nullable String idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    public @Nullable Boolean getAdaptive() {
        return adaptive;
    }

    public void setAdaptive(@Nullable Boolean adaptive) {
        this.adaptive = adaptive;
    }

    public @Nullable String getHeartbeat() {
        return heartbeat;
    }

    public void setHeartbeat(@Nullable String heartbeat) {
        this.heartbeat = heartbeat;
    }

    public @Nullable String getServiceName() {
        return serviceName;
    }

    public void setServiceName(@Nullable String serviceName) {
        this.serviceName = serviceName;
    }

    public @Nullable String getInstanceId() {
        return instanceId;
    }

    public void setInstanceId(@Nullable String instanceId) {
        this.instanceId = instanceId;
    }

    @Override
    public String toString() {
        return "PoolingProperties[enabled=" + enabled + "]"; // the URL may hold a password
    }
}
