package io.reporadar.demo;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisException;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each user's watched repositories: stored in PostgreSQL, read through a Redis cache (cache-aside,
 * invalidated on write). The cache is an optimisation only: when Redis fails, reads go to PostgreSQL.
 *
 * <p>Thread-safe.
 */
final class Watchlist {

    private static final Logger LOG = LoggerFactory.getLogger(Watchlist.class);
    /** GitHub's rules: an owner of 1-39 letters, digits or '-', a name of 1-100 letters, digits, '.', '_' or '-'. */
    private static final Pattern REPO = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<String>> LIST = new TypeReference<>() {
    };
    private static final Duration CACHE_TTL = Duration.ofMinutes(5);

    private final DataSource database;
    private final @Nullable Supplier<StatefulRedisConnection<byte[], byte[]>> cache; // null: no cache

    /**
     * A watchlist in {@code database}, read through {@code cache}.
     *
     * @param cache the Redis connection of the moment (it changes on failover), or {@code null} for no cache
     */
    Watchlist(DataSource database, @Nullable Supplier<StatefulRedisConnection<byte[], byte[]>> cache) {
        this.database = database;
        this.cache = cache;
    }

    /** @throws IllegalArgumentException naming the field when {@code repo} is not {@code owner/name} */
    static String checkRepo(String repo) {
        if (repo == null || !REPO.matcher(repo).matches()) {
            throw new IllegalArgumentException("repo: expected owner/name, as on GitHub");
        }
        return repo;
    }

    List<String> of(String username) throws SQLException {
        byte[] key = key(username);
        List<String> cached = readCache(key);
        if (cached != null) {
            return cached;
        }
        List<String> repos = new ArrayList<>();
        try (Connection connection = database.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT repo FROM watchlist WHERE username = ? ORDER BY added_at, repo")) {
            select.setString(1, username);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    repos.add(rows.getString(1));
                }
            }
        }
        writeCache(key, repos);
        return repos;
    }

    /** Adds {@code repo} (once) and returns the whole list. */
    List<String> add(String username, String repo) throws SQLException {
        try (Connection connection = database.getConnection();
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO watchlist (username, repo) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            insert.setString(1, username);
            insert.setString(2, checkRepo(repo));
            insert.executeUpdate();
        }
        evict(key(username));
        return of(username);
    }

    private static byte[] key(String username) {
        return ("reporadar:watchlist:" + username).getBytes(StandardCharsets.UTF_8);
    }

    /** The cached list; null when none is cached, there is no cache, or it fails. */
    private @Nullable List<String> readCache(byte[] key) {
        if (cache == null) {
            return null;
        }
        try {
            byte[] value = cache.get().sync().get(key);
            return value == null ? null : JSON.readValue(value, LIST);
        } catch (RedisException | IOException e) {
            LOG.warn("watchlist cache read failed, reading PostgreSQL: {}", e.getClass().getSimpleName());
            return null;
        }
    }

    private void writeCache(byte[] key, List<String> repos) {
        if (cache == null) {
            return;
        }
        try {
            cache.get().sync().set(key, JSON.writeValueAsBytes(repos), SetArgs.Builder.ex(CACHE_TTL));
        } catch (RedisException | IOException e) {
            LOG.warn("watchlist cache write failed: {}", e.getClass().getSimpleName());
        }
    }

    private void evict(byte[] key) {
        if (cache == null) {
            return;
        }
        try {
            cache.get().sync().del(key);
        } catch (RedisException e) {
            // A stale entry would outlive the write: say so; it expires within the cache TTL.
            LOG.warn("watchlist cache eviction failed; entries may be stale for up to {}", CACHE_TTL);
        }
    }
}
