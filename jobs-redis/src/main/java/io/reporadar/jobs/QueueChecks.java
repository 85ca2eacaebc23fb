package io.reporadar.jobs;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.reporadar.core.Durations;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The checks {@link JobQueue.Builder} makes before a queue exists: the queue's name, its settings' ranges, the
 * {@code awaitReplicas} timeout against the connection's command timeout, and Redis's eviction policy (an evicting
 * Redis would drop waiting jobs and leases). Each failure names the culprit. Stateless.
 */
final class QueueChecks {

    private QueueChecks() {
    }

    /**
     * {@code name}, when it is a queue name ({@code [A-Za-z0-9._-]{1,64}}).
     *
     * @throws IllegalArgumentException naming it otherwise
     */
    static String name(@Nullable String name) {
        if (name == null || !JobId.isName(name, 64)) {
            throw new IllegalArgumentException("queue name: " + JobId.describe(name) + " (expected: 1 to 64 letters, digits, '.', '_' or '-')");
        }
        return name;
    }

    /**
     * {@code value}, when it is from {@code min} to {@code max}.
     *
     * @throws IllegalArgumentException naming the setting {@code what}, the value and the range otherwise
     */
    static Duration between(String what, @Nullable Duration value, Duration min, Duration max) {
        if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(what + ": " + (value == null ? "null" : Durations.format(value)) + " (expected: "
                    + Durations.format(min) + " to " + Durations.format(max) + ")");
        }
        return value;
    }

    /**
     * Refuses an {@code awaitReplicas} timeout (when {@code replicas > 0}) that is not below the connection's
     * command timeout: the {@code WAIT} would outlast the command.
     *
     * @throws IllegalStateException naming both timeouts
     */
    static void replicaTimeout(int replicas, Duration replicaTimeout, Duration commandTimeout) {
        if (replicas > 0 && replicaTimeout.compareTo(commandTimeout) >= 0) {
            throw new IllegalStateException("awaitReplicas timeout " + Durations.format(replicaTimeout)
                    + " (expected: below the Redis command timeout, " + Durations.format(commandTimeout) + ")");
        }
    }

    /**
     * Refuses a Redis that may evict keys: {@code CONFIG GET maxmemory-policy}, or {@code INFO memory} where
     * {@code CONFIG} is renamed or not allowed (managed services).
     *
     * @param queue the queue's name, for the messages
     * @throws IllegalStateException        naming the policy when it is not {@code noeviction}, or saying what to
     *                                      allow when it cannot be read
     * @throws JobQueueUnavailableException when Redis does not answer
     */
    static void evictionPolicy(String queue, StatefulRedisConnection<byte[], byte[]> connection) {
        String policy;
        String configRefused;
        try {
            Map<String, String> config = connection.sync().configGet("maxmemory-policy");
            policy = config.get("maxmemory-policy");
            configRefused = "no such setting";
        } catch (RedisCommandExecutionException e) {
            policy = null;
            configRefused = QueueRedis.errorText(e);
        } catch (RedisException e) {
            throw new JobQueueUnavailableException("start-up check", e.getClass().getSimpleName(), e);
        }
        String infoRefused = "";
        if (policy == null) {
            try {
                String info = connection.sync().info("memory");
                policy = info.lines().filter(line -> line.startsWith("maxmemory_policy:")).map(line -> line.substring(17).strip())
                        .findFirst().orElse(null);
                infoRefused = "no maxmemory_policy field";
            } catch (RedisCommandExecutionException e) {
                infoRefused = QueueRedis.errorText(e);
            } catch (RedisException e) {
                throw new JobQueueUnavailableException("start-up check", e.getClass().getSimpleName(), e);
            }
        }
        if (policy == null) {
            throw new IllegalStateException("job queue " + queue + ": cannot read Redis's maxmemory-policy (CONFIG GET answered '"
                    + configRefused + "', INFO memory answered '" + infoRefused + "'); allow one of them for this connection's user"
                    + " (ACL: +config|get or +info), so that the queue can check that Redis never evicts its keys");
        }
        if (!policy.equals("noeviction")) {
            throw new IllegalStateException("job queue " + queue + ": Redis's maxmemory-policy is " + policy
                    + ", which would evict waiting jobs and leases when memory runs short (expected: noeviction;"
                    + " CONFIG SET maxmemory-policy noeviction, and in redis.conf)");
        }
    }
}
