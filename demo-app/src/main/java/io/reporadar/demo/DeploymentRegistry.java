package io.reporadar.demo;

import io.lettuce.core.ScriptOutputType;
import io.reporadar.core.DaemonThreads;
import io.reporadar.health.dashboard.InstanceReport;
import io.reporadar.session.SessionRedis;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The instances of the deployment, as they report themselves in Redis for the dashboard: every instance writes its
 * {@link InstanceReport} to one hash field every {@link #HEARTBEAT}, stamped with Redis's own clock ({@code TIME}, so
 * the instances' clocks never matter), at once when its lifecycle moves on, and a last time, STOPPED, when it closes.
 * A reader gets every report with its age; reports older than {@link #FORGET_AFTER} are deleted as they are read.
 *
 * <p>Thread-safe.
 */
final class DeploymentRegistry implements AutoCloseable {

    static final String KEY = "reporadar:dashboard:instances";
    static final Duration HEARTBEAT = Duration.ofSeconds(1);
    /** Silent for this long (three heartbeats), an instance is shown as gone. */
    static final Duration HEARTBEAT_TIMEOUT = HEARTBEAT.multipliedBy(3);
    /** Silent for this long, an instance is forgotten. */
    static final Duration FORGET_AFTER = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger(DeploymentRegistry.class);
    /** Stamps the report with Redis's clock, in milliseconds, on a line of its own before the report. */
    private static final String PUBLISH = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('HSET', KEYS[1], ARGV[1], now .. '\\n' .. ARGV[2])
            return now""";
    /** Redis's clock, then every report younger than ARGV[1] ms; deletes the older ones. */
    private static final String READ = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local all = redis.call('HGETALL', KEYS[1])
            local out = {now}
            for i = 1, #all, 2 do
              local at = tonumber(string.match(all[i + 1], '^(%d+)\\n'))
              if at == nil or now - at > tonumber(ARGV[1]) then
                redis.call('HDEL', KEYS[1], all[i])
              else
                table.insert(out, all[i + 1])
              end
            end
            return out""";

    private final SessionRedis redis;
    private final ScheduledExecutorService heartbeat = DaemonThreads.scheduler("dashboard-heartbeat");
    private volatile @Nullable Supplier<InstanceReport> self; // null: not publishing (yet)
    private volatile boolean failing;

    /** The registry on {@code redis}; this instance is not in it until {@link #start} begins publishing. */
    DeploymentRegistry(SessionRedis redis) {
        this.redis = redis;
    }

    /** Publishes what {@code self} reports now, then every {@link #HEARTBEAT}. */
    void start(Supplier<InstanceReport> self) {
        this.self = self;
        java.util.concurrent.ScheduledFuture<?> unusedBeats = heartbeat.scheduleWithFixedDelay(this::publishQuietly, 0, HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Publishes soon, on the heartbeat's thread (the caller does not wait for Redis). */
    void publishSoon() {
        try {
            heartbeat.execute(this::publishQuietly);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // closing: the last report is on its way
        }
    }

    private void publishQuietly() {
        Supplier<InstanceReport> reports = self;
        if (reports == null) {
            return;
        }
        try {
            publish(reports.get());
            if (failing) {
                failing = false;
                LOG.info("dashboard registry: publishing again");
            }
        } catch (RuntimeException e) {
            if (!failing) { // one line per outage, not one a second
                failing = true;
                LOG.warn("dashboard registry: cannot publish this instance's report: {}", e.getMessage());
            }
        }
    }

    private void publish(InstanceReport report) {
        byte[][] keys = {bytes(KEY)};
        redis.connection().sync().eval(PUBLISH, ScriptOutputType.INTEGER, keys, bytes(report.id()), bytes(report.encode()));
    }

    /**
     * Every instance's last report, with its age by Redis's clock.
     *
     * @throws RuntimeException when Redis does not answer
     */
    List<InstanceReport> instances() {
        byte[][] keys = {bytes(KEY)};
        List<Object> reply = redis.connection().sync().eval(READ, ScriptOutputType.MULTI, keys, bytes(Long.toString(FORGET_AFTER.toMillis())));
        long now = (Long) reply.get(0);
        List<InstanceReport> reports = new ArrayList<>();
        for (Object entry : reply.subList(1, reply.size())) {
            String text = new String((byte[]) entry, StandardCharsets.UTF_8);
            int newline = text.indexOf('\n');
            try {
                reports.add(InstanceReport.decode(text.substring(newline + 1)).withAge(now - Long.parseLong(text.substring(0, newline))));
            } catch (IllegalArgumentException unreadable) {
                LOG.debug("dashboard registry: skipped an unreadable report: {}", unreadable.getMessage());
            }
        }
        return reports;
    }

    /** Stops the heartbeat and publishes this instance a last time, STOPPED, so that the others show it gone at once. */
    @Override
    public void close() {
        heartbeat.shutdown();
        try {
            // A heartbeat under way would otherwise land after STOPPED and show the instance alive for a while.
            if (!heartbeat.awaitTermination(2, java.util.concurrent.TimeUnit.SECONDS)) {
                heartbeat.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            heartbeat.shutdownNow();
        }
        Supplier<InstanceReport> reports = self;
        if (reports == null) {
            return;
        }
        try {
            InstanceReport last = reports.get();
            publish(new InstanceReport(last.id(), "STOPPED", last.readiness(), 0, last.checks(), last.pool(), 0));
        } catch (RuntimeException e) {
            LOG.debug("dashboard registry: no last report ({}); the others see this instance gone after {}", e.getMessage(), HEARTBEAT_TIMEOUT);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
