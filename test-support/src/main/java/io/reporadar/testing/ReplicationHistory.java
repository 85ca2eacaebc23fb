package io.reporadar.testing;

import io.reporadar.core.DaemonThreads;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The replication history of a {@link RedisSentinelTopology}: each data node's replication state sampled every
 * 100 ms on a daemon thread, every change kept with the wall-clock time (to match the servers' logs), and the
 * events the test notes (a fault, a restart); at most the last {@value #LINES} lines.
 *
 * <p>Thread-safe.
 */
final class ReplicationHistory implements AutoCloseable {

    private static final int LINES = 4000;
    private static final long SAMPLE_MILLIS = 100;

    private final Supplier<List<RedisServer>> servers;
    private final Deque<String> lines = new ArrayDeque<>(); // guarded by itself
    private final Thread sampler;
    private volatile boolean open = true;

    /** Starts sampling {@code servers} (asked again at each sample). */
    ReplicationHistory(Supplier<List<RedisServer>> servers) {
        this.servers = servers;
        this.sampler = DaemonThreads.thread("redis-replication-history", this::sample);
        this.sampler.start();
    }

    /** Adds an event of the test's own (a fault, a restart). */
    void note(String event) {
        add(event);
    }

    /**
     * The history, one line per change, followed by each of {@code sentinels}' last log lines without the
     * connection chatter of verbose logging (a poll every 50 ms would push the events out).
     */
    String render(String title, List<RedisServer> sentinels) {
        StringBuilder text = new StringBuilder(title).append(":\n");
        synchronized (lines) {
            lines.forEach(line -> text.append(line).append('\n'));
        }
        for (RedisServer sentinel : sentinels) {
            List<String> events = sentinel.logTail(4000).lines()
                    .filter(line -> !line.contains(" - Accepted ") && !line.contains(" - Client closed connection")).toList();
            text.append("log of ").append(sentinel).append(":\n")
                    .append(String.join("\n", events.subList(Math.max(0, events.size() - 80), events.size()))).append('\n');
        }
        return text.toString();
    }

    /** Stops sampling; the history stays readable. */
    @Override
    public void close() {
        open = false;
        sampler.interrupt();
    }

    private void sample() {
        Map<RedisServer, String> last = new HashMap<>();
        while (open) {
            for (RedisServer server : servers.get()) {
                String state = server.isRunning() ? state(server) : "not running";
                if (!state.equals(last.put(server, state))) {
                    add(server.port() + " " + state);
                }
            }
            try {
                Thread.sleep(SAMPLE_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void add(String event) {
        String line = LocalTime.now(ZoneId.systemDefault()) + " " + event; // the servers' logs are in local time
        synchronized (lines) {
            lines.addLast(line);
            if (lines.size() > LINES) {
                lines.removeFirst();
            }
        }
    }

    /**
     * The parts of {@code INFO replication} that say who streams from whom and who may be promoted; offsets left
     * out (they always move).
     */
    private static String state(RedisServer server) {
        try {
            return String.valueOf(server.call("INFO", "replication")).lines()
                    .filter(line -> line.startsWith("role:") || line.startsWith("master_port:") || line.startsWith("master_link_status:")
                            || line.startsWith("master_sync_in_progress:1") || line.startsWith("connected_slaves:")
                            || (line.startsWith("slave") && line.contains("state=")) || line.startsWith("master_replid:")
                            || line.startsWith("slave_priority:"))
                    .map(line -> line.startsWith("slave") ? line.replaceAll(",offset=\\d+,lag=\\d+", "") : line)
                    .collect(Collectors.joining(" "));
        } catch (RuntimeException e) {
            return "no answer (" + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ")";
        }
    }
}
