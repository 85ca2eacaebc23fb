package io.reporadar.pooling;

import io.reporadar.core.Durations;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads {@link PoolSettings} from the deployment's environment variables (the table is on {@link PoolSettings}):
 * how each variable is spelled, its default, and the problems of spelling, every one collected and named by
 * its variable. The ranges are checked by {@link PoolSettings.Builder}, with the other problems reported at
 * the same time. Stateless and thread-safe.
 */
final class PoolEnvironment {

    private PoolEnvironment() {
    }

    /** See {@link PoolSettings#fromEnvironment}. */
    static PoolSettings read(Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        PoolSettings.Builder b = PoolSettings.builder();
        DatabaseUrl url = null;
        try {
            url = DatabaseUrl.parse(env.get("DATABASE_URL"));
            b.url(url);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        b.pool(intVar(env, "DB_POOL_MIN", PoolSettings.DEFAULT_MIN, problems),
                intVar(env, "DB_POOL_MAX", PoolSettings.DEFAULT_MAX, problems));
        b.instances(intVar(env, "INSTANCE_COUNT", 1, problems), intVar(env, "INSTANCE_SURGE", 0, problems));
        b.otherPools(intVar(env, "DB_OTHER_POOLS", 0, problems));
        b.reserved(intVar(env, "DB_RESERVED_CONNECTIONS", PoolSettings.DEFAULT_RESERVED, problems));
        b.assumedMaxConnections(intVar(env, "DB_MAX_CONNECTIONS", PoolSettings.DEFAULT_MAX_CONNECTIONS, problems));
        b.timeouts(durationVar(env, "DB_POOL_CONNECTION_TIMEOUT", PoolSettings.DEFAULT_CONNECTION_TIMEOUT, problems),
                durationVar(env, "DB_POOL_IDLE_TIMEOUT", PoolSettings.DEFAULT_IDLE_TIMEOUT, problems));
        String policy = env.getOrDefault("DB_POOL_POLICY", "fail-fast").strip().toLowerCase(Locale.ROOT);
        switch (policy) {
            case "fail-fast" -> b.policy(BudgetPolicy.FAIL_FAST);
            case "warn-and-shrink" -> b.policy(BudgetPolicy.WARN_AND_SHRINK);
            default -> problems.add("DB_POOL_POLICY: " + policy + " (expected: fail-fast or warn-and-shrink)");
        }
        String adaptive = env.getOrDefault("DB_POOL_ADAPTIVE", "false").strip().toLowerCase(Locale.ROOT);
        if (!adaptive.equals("true") && !adaptive.equals("false")) {
            problems.add("DB_POOL_ADAPTIVE: " + adaptive + " (expected: true or false)");
        } else if (adaptive.equals("true")) {
            b.adaptive(durationVar(env, "DB_POOL_HEARTBEAT", PoolSettings.DEFAULT_HEARTBEAT, problems));
        }
        String fromUrl = url == null ? null : url.parameters().get("ApplicationName");
        b.identity(nonBlank(env.get("SERVICE_NAME"), fromUrl != null ? fromUrl : PoolSettings.DEFAULT_SERVICE),
                nonBlank(env.get("INSTANCE_ID"), nonBlank(env.get("HOSTNAME"), "instance")));
        return b.build(problems);
    }

    /** Parses a number; its bounds are checked with the other settings, in {@link PoolSettings.Builder#build()}. */
    private static int intVar(Map<String, String> env, String name, int fallback, List<String> problems) {
        String raw = env.get(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(raw.strip());
        } catch (NumberFormatException e) {
            problems.add(name + ": " + raw.strip() + " (expected: a whole number)");
            return fallback;
        }
    }

    /**
     * A duration as {@link Durations} spells it, a bare number being milliseconds (these variables' unit before
     * units were accepted); its bounds are checked with the other settings.
     */
    private static Duration durationVar(Map<String, String> env, String name, Duration fallback, List<String> problems) {
        return Durations.fromEnvironment(env, name, fallback, ChronoUnit.MILLIS, problems);
    }

    private static String nonBlank(@Nullable String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.strip();
    }
}
