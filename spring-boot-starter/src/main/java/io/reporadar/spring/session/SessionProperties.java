package io.reporadar.spring.session;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code reporadar.session.*}: the encrypted Redis session store behind Spring Session. Every property may be left
 * out in favour of the deployment's environment variable named in its description; secrets belong there (or in a
 * secret store), not in {@code application.properties}.
 */
@ConfigurationProperties("reporadar.session")
public class SessionProperties {

    /** Whether the starter provides Spring Session's SessionRepository. */
    private boolean enabled = true;

    /** Whether sessions live in Redis (true) or in this process's memory, for one instance only (USE_REDIS_SESSIONS). */
    private @Nullable Boolean useRedis;

    /**
     * Redis: redis://host:6379, rediss:// for TLS, redis-sentinel://h1:26379,h2:26379/0#mymaster for Sentinel
     * (REDIS_URL; else spring.data.redis.url).
     */
    private @Nullable String redisUrl;

    /** The Sentinels' own password, with a redis-sentinel:// URL (REDIS_SENTINEL_PASSWORD). */
    private @Nullable String sentinelPassword;

    /** The secret that signs session cookies, at least 32 characters (SESSION_SECRET). */
    private @Nullable String secret;

    /** Secrets that still verify cookies during a rotation, comma-separated (SESSION_SECRET_PREVIOUS). */
    private List<String> secretPrevious = new ArrayList<>();

    /** How the cookie carries the signed id: reporadar or express (SESSION_COOKIE_FORMAT). */
    private @Nullable String cookieFormat;

    /** The AES key that encrypts session values in Redis, 64 hex digits (SESSION_ENCRYPTION_KEY). */
    private @Nullable String encryptionKey;

    /** Keys that still decrypt during a rotation, comma-separated (SESSION_ENCRYPTION_KEY_PREVIOUS). */
    private List<String> encryptionKeyPrevious = new ArrayList<>();

    /** Sessions unused for this long expire, such as 30m (SESSION_IDLE_TIMEOUT; else spring.session.timeout). */
    private @Nullable String idleTimeout;

    /** Sessions older than this expire however active, such as 24h (SESSION_ABSOLUTE_TIMEOUT). */
    private @Nullable String absoluteTimeout;

    /** When a save is acknowledged: master, replica or replica-required (SESSION_DURABILITY). */
    private @Nullable String durability;

    /** With Sentinel: keep lagging replicas unpromotable (REDIS_PROMOTION_GUARD, default true). */
    private @Nullable Boolean promotionGuard;

    /**
     * Classes session attributes may hold besides strings, numbers and booleans (records or Jackson-friendly
     * classes). Values are stored as JSON, never with Java serialization; setting a value of another type fails at
     * the line that set it.
     */
    private List<Class<?>> allowedTypes = new ArrayList<>();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public @Nullable Boolean getUseRedis() {
        return useRedis;
    }

    public void setUseRedis(@Nullable Boolean useRedis) {
        this.useRedis = useRedis;
    }

    public @Nullable String getRedisUrl() {
        return redisUrl;
    }

    public void setRedisUrl(@Nullable String redisUrl) {
        this.redisUrl = redisUrl;
    }

    public @Nullable String getSentinelPassword() {
        return sentinelPassword;
    }

    public void setSentinelPassword(@Nullable String sentinelPassword) {
        this.sentinelPassword = sentinelPassword;
    }

    public @Nullable String getSecret() {
        return secret;
    }

    public void setSecret(@Nullable String secret) {
        this.secret = secret;
    }

    public List<String> getSecretPrevious() {
        return secretPrevious;
    }

    public void setSecretPrevious(List<String> secretPrevious) {
        this.secretPrevious = secretPrevious;
    }

    public @Nullable String getCookieFormat() {
        return cookieFormat;
    }

    public void setCookieFormat(@Nullable String cookieFormat) {
        this.cookieFormat = cookieFormat;
    }

    public @Nullable String getEncryptionKey() {
        return encryptionKey;
    }

    public void setEncryptionKey(@Nullable String encryptionKey) {
        this.encryptionKey = encryptionKey;
    }

    public List<String> getEncryptionKeyPrevious() {
        return encryptionKeyPrevious;
    }

    public void setEncryptionKeyPrevious(List<String> encryptionKeyPrevious) {
        this.encryptionKeyPrevious = encryptionKeyPrevious;
    }

    public @Nullable String getIdleTimeout() {
        return idleTimeout;
    }

    public void setIdleTimeout(@Nullable String idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    public @Nullable String getAbsoluteTimeout() {
        return absoluteTimeout;
    }

    public void setAbsoluteTimeout(@Nullable String absoluteTimeout) {
        this.absoluteTimeout = absoluteTimeout;
    }

    public @Nullable String getDurability() {
        return durability;
    }

    public void setDurability(@Nullable String durability) {
        this.durability = durability;
    }

    public @Nullable Boolean getPromotionGuard() {
        return promotionGuard;
    }

    public void setPromotionGuard(@Nullable Boolean promotionGuard) {
        this.promotionGuard = promotionGuard;
    }

    public List<Class<?>> getAllowedTypes() {
        return allowedTypes;
    }

    public void setAllowedTypes(List<Class<?>> allowedTypes) {
        this.allowedTypes = allowedTypes;
    }

    @Override
    public String toString() {
        // Secrets are left out.
        return "SessionProperties[enabled=" + enabled + ", allowedTypes=" + allowedTypes + "]";
    }
}
