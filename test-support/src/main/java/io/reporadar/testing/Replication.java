package io.reporadar.testing;

import io.reporadar.testing.internal.Ports;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What Redis data nodes say about their replication ({@code ROLE}, {@code INFO replication}), and the wait until
 * replicas receive the master's stream, for {@link RedisSentinelTopology}.
 *
 * <p>Thread-safe (stateless).
 */
final class Replication {

    private Replication() {
    }

    /**
     * Waits until every server {@code servers} lists runs as a replica with its replication link up, the master
     * {@code currentMaster} names lists it online ({@code ROLE}), <em>and</em> it has acknowledged a write made after
     * that; with {@code promotable}, also until none has {@code slave_priority:0}. Both suppliers are asked at every
     * poll: the master may change meanwhile.
     *
     * @throws IllegalStateException at the deadline
     */
    static void awaitStreaming(Supplier<List<RedisServer>> servers, Supplier<RedisServer> currentMaster, Duration timeout,
            boolean promotable) {
        @Nullable RedisServer[] probed = {null};
        long[] probeOffset = {0};
        Ports.await("replicas streaming from the master" + (promotable ? " and promotable" : ""), timeout, null, () -> {
            try {
                List<RedisServer> expected = servers.get();
                RedisServer current = currentMaster.get();
                Map<Integer, Long> acknowledged = onlineReplicas(current);
                boolean online = expected.stream().allMatch(server -> acknowledged.containsKey(server.port()) && linkUp(server));
                if (!online) {
                    probed[0] = null;
                    return false;
                }
                if (probed[0] != current) { // listed: now prove that the stream flows, with a write made after it
                    probed[0] = current;
                    probeOffset[0] = probe(current);
                    return false;
                }
                return expected.stream().allMatch(server -> acknowledged.getOrDefault(server.port(), -1L) >= probeOffset[0]
                        && (!promotable || !String.valueOf(server.call("INFO", "replication")).contains("slave_priority:0")));
            } catch (RuntimeException notYet) {
                probed[0] = null;
                return false;
            }
        });
    }

    /** Whether {@code server} answers {@code ROLE} as a master. */
    static boolean isMaster(RedisServer server) {
        Object role = server.call("ROLE");
        return role instanceof List<?> parts && "master".equals(parts.get(0));
    }

    /** A server's {@code INFO replication} on one line, for failure messages. */
    static String summary(RedisServer server) {
        try {
            return server + " " + String.valueOf(server.call("INFO", "replication")).lines()
                    .filter(line -> !line.startsWith("#") && !line.isBlank() && !line.startsWith("second_repl") && !line.startsWith("repl_backlog"))
                    .toList();
        } catch (RuntimeException e) {
            return server + ": " + e.getMessage();
        }
    }

    /** The reply to {@code command}, or "?" when the server does not answer. */
    static @Nullable Object callQuietly(RedisServer server, String command) {
        try {
            return server.call(command);
        } catch (RuntimeException e) {
            return "?";
        }
    }

    /** A flat reply of names and values ({@code SENTINEL MASTER}) as a map. */
    static Map<String, String> pairs(@Nullable Object reply) {
        Map<String, String> map = new HashMap<>();
        if (reply instanceof List<?> flat) {
            for (int i = 0; i + 1 < flat.size(); i += 2) {
                map.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
            }
        }
        return map;
    }

    /**
     * Publishes on a channel nobody reads, which enters the replication stream without touching the data, and
     * returns the master's replication offset after it.
     */
    private static long probe(RedisServer master) {
        master.call("PUBLISH", "reporadar-test:replication-probe", "streaming?");
        String info = String.valueOf(master.call("INFO", "replication"));
        return info.lines().filter(line -> line.startsWith("master_repl_offset:")).map(line -> Long.parseLong(line.substring(19).strip()))
                .findFirst().orElseThrow(() -> new IllegalStateException(master + " reports no master_repl_offset"));
    }

    private static boolean linkUp(RedisServer server) {
        String info = String.valueOf(server.call("INFO", "replication"));
        return info.contains("role:slave") && info.contains("master_link_status:up");
    }

    /**
     * The replicas {@code master}'s {@code ROLE} lists (Redis lists only online replicas), by port, with the
     * replication offset each last acknowledged.
     */
    private static Map<Integer, Long> onlineReplicas(RedisServer master) {
        Object role = master.call("ROLE");
        Map<Integer, Long> replicas = new HashMap<>();
        if (role instanceof List<?> parts && parts.size() >= 3 && parts.get(2) instanceof List<?> entries) {
            for (Object entry : entries) {
                if (entry instanceof List<?> fields && fields.size() >= 3) {
                    replicas.put(Integer.parseInt(String.valueOf(fields.get(1))), Long.parseLong(String.valueOf(fields.get(2))));
                }
            }
        }
        return replicas;
    }
}
