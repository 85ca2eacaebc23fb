package io.reporadar.demo;

import io.reporadar.core.Durations;
import io.reporadar.health.Networks;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The demo service's settings, read only from the deployment's environment variables.
 *
 * <p>Every problem is reported at once, each naming its variable. Immutable and thread-safe.
 */
public final class DemoConfig {

    /** The port the original RepoRadar instances listen on. */
    public static final int DEFAULT_PORT = 3000;

    /** How long a stopping instance keeps serving while the balancer notices (compose's stop_grace_period covers it). */
    public static final Duration DEFAULT_DRAIN_DELAY = Duration.ofSeconds(10);

    /** The longest drain delay accepted. */
    public static final Duration MAX_DRAIN_DELAY = Duration.ofMinutes(5);

    private final int port;
    private final String instanceId;
    private final boolean development;
    private final Duration drainDelay;
    private final Networks trustedProxies;
    private final Networks internalNetworks;
    private final JobSettings jobs;
    private final Map<String, String> environment;

    /**
     * The job queue's settings.
     *
     * @param concurrency {@code JOBS_CONCURRENCY}: jobs at once on this instance, 1 to 1000 (default 5, as the original)
     * @param lease       {@code JOBS_LEASE}: how soon another instance takes over a killed one's jobs, 1 s to 10 min
     *                    (default 15 s; a bare number is seconds)
     * @param durable     {@code JOBS_DURABILITY=replica}: an enqueue is acknowledged once a replica has it (default
     *                    {@code master})
     * @param step        {@code JOBS_STEP}: the simulated analysis time per repository, 0 to 10 s (default 200 ms)
     */
    public record JobSettings(int concurrency, Duration lease, boolean durable, Duration step) {
    }

    private DemoConfig(int port, String instanceId, boolean development, Duration drainDelay, Networks trustedProxies,
            Networks internalNetworks, JobSettings jobs, Map<String, String> environment) {
        this.port = port;
        this.instanceId = instanceId;
        this.development = development;
        this.drainDelay = drainDelay;
        this.trustedProxies = trustedProxies;
        this.internalNetworks = internalNetworks;
        this.jobs = jobs;
        this.environment = environment;
    }

    /** Who may name the client in {@code X-Forwarded-For} by default: nginx on the same host. */
    public static final String DEFAULT_TRUSTED_PROXIES = "127.0.0.1, ::1";

    /**
     * Reads {@code PORT} (default {@value #DEFAULT_PORT}; 0 picks a free port) and {@code INSTANCE_ID}
     * (default: the host name), {@code APP_ENV} ({@code production}, the default, or {@code development}: cookies
     * allowed over plain http, and the toolkit's debug logging when the service runs on its own),
     * {@code DRAIN_DELAY} (default 10 s, at most 300 s: how long SIGTERM keeps the instance serving with readiness
     * down before it stops accepting connections; a duration such as {@code 10s} or {@code 1500ms}, a bare number
     * being seconds; its old spelling {@code DRAIN_DELAY_SECONDS}, whole seconds, is still read, and when both are set
     * they must agree), {@code TRUSTED_PROXIES} (addresses and CIDR blocks of
     * the proxies whose {@code X-Forwarded-For} names the client; default {@value #DEFAULT_TRUSTED_PROXIES}) and
     * {@code INTERNAL_NETWORKS} (the clients that may see {@code /metrics} and health details; default
     * {@link Networks#INTERNAL}, as nginx's allow-list). The session variables are read by
     * {@link io.reporadar.session.SessionStores}.
     *
     * @throws IllegalArgumentException listing every missing or malformed variable
     */
    public static DemoConfig fromEnvironment(Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        int port = DEFAULT_PORT;
        String rawPort = env.get("PORT");
        if (rawPort != null && !rawPort.isBlank()) {
            try {
                port = Integer.parseInt(rawPort.strip());
                if (port < 0 || port > 65_535) {
                    problems.add("PORT: " + rawPort + " (expected: 0..65535)");
                }
            } catch (NumberFormatException e) {
                problems.add("PORT: " + rawPort + " (expected: a number)");
            }
        }
        String instanceId = env.getOrDefault("INSTANCE_ID", "").strip();
        if (instanceId.isEmpty()) {
            instanceId = env.getOrDefault("HOSTNAME", "reporadar");
        } else if (!instanceId.matches("[A-Za-z0-9._-]{1,64}")) {
            problems.add("INSTANCE_ID: " + instanceId + " (expected: 1-64 letters, digits, '.', '_' or '-')");
        }
        String appEnv = env.getOrDefault("APP_ENV", "production").strip();
        if (!appEnv.equals("production") && !appEnv.equals("development")) {
            problems.add("APP_ENV: " + appEnv + " (expected: development or production)");
        }
        Duration drainDelay = drainDelay(env, problems);
        Networks trustedProxies = networks(env, "TRUSTED_PROXIES", Networks.parse("TRUSTED_PROXIES", DEFAULT_TRUSTED_PROXIES), problems);
        Networks internal = networks(env, "INTERNAL_NETWORKS", Networks.INTERNAL, problems);
        JobSettings jobs = jobSettings(env, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid configuration: " + String.join("; ", problems));
        }
        return new DemoConfig(port, instanceId, appEnv.equals("development"), drainDelay, trustedProxies, internal, jobs, Map.copyOf(env));
    }

    /** {@code JOBS_CONCURRENCY}, {@code JOBS_LEASE}, {@code JOBS_DURABILITY} and {@code JOBS_STEP} (see {@link JobSettings}). */
    private static JobSettings jobSettings(Map<String, String> env, List<String> problems) {
        int concurrency = 5;
        String rawConcurrency = env.get("JOBS_CONCURRENCY");
        if (rawConcurrency != null && !rawConcurrency.isBlank()) {
            try {
                concurrency = Integer.parseInt(rawConcurrency.strip());
            } catch (NumberFormatException e) {
                concurrency = 0;
            }
            if (concurrency < 1 || concurrency > 1000) {
                problems.add("JOBS_CONCURRENCY: " + rawConcurrency + " (expected: 1 to 1000)");
                concurrency = 5;
            }
        }
        Duration lease = duration(env, "JOBS_LEASE", Duration.ofSeconds(1), Duration.ofMinutes(10), problems);
        Duration step = duration(env, "JOBS_STEP", Duration.ZERO, Duration.ofSeconds(10), problems);
        String durability = env.getOrDefault("JOBS_DURABILITY", "master").strip();
        if (!durability.equals("master") && !durability.equals("replica")) {
            problems.add("JOBS_DURABILITY: " + durability + " (expected: master or replica)");
        }
        return new JobSettings(concurrency, lease != null ? lease : Duration.ofSeconds(15), durability.equals("replica"),
                step != null ? step : Duration.ofMillis(200));
    }

    /**
     * A duration variable ({@code 10s}, {@code 1500ms}; a bare number is seconds) within {@code [min, max]}; null when
     * unset, or after adding a problem.
     */
    private static @Nullable Duration duration(Map<String, String> env, String variable, Duration min, Duration max, List<String> problems) {
        String raw = env.get(variable);
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            Duration value = Durations.parse(variable, raw, ChronoUnit.SECONDS);
            if (value.compareTo(min) >= 0 && value.compareTo(max) <= 0) {
                return value;
            }
            problems.add(variable + ": '" + raw.strip() + "' is out of range (expected: " + Durations.format(min) + " to "
                    + Durations.format(max) + ")");
        } catch (IllegalArgumentException e) {
            problems.add(String.valueOf(e.getMessage()));
        }
        return null;
    }

    /**
     * {@code DRAIN_DELAY}, else its old spelling {@code DRAIN_DELAY_SECONDS}, else the default; a problem when one is
     * malformed or out of range, or when both are set and disagree.
     */
    private static Duration drainDelay(Map<String, String> env, List<String> problems) {
        String rawSeconds = env.get("DRAIN_DELAY_SECONDS");
        Duration delay = duration(env, "DRAIN_DELAY", Duration.ZERO, MAX_DRAIN_DELAY, problems);
        Duration legacy = rawSeconds == null || rawSeconds.isBlank() ? null : parseDrainDelaySeconds(rawSeconds, problems);
        if (delay != null && legacy != null && !delay.equals(legacy)) {
            problems.add("DRAIN_DELAY: " + Durations.format(delay) + " and DRAIN_DELAY_SECONDS: " + legacy.toSeconds()
                    + " disagree (expected: DRAIN_DELAY alone; DRAIN_DELAY_SECONDS is its old spelling)");
        }
        Duration given = delay != null ? delay : legacy;
        return given != null ? given : DEFAULT_DRAIN_DELAY;
    }

    /** Whole seconds, 0 to 300, as {@code DRAIN_DELAY_SECONDS} always took them; null after adding a problem. */
    private static @Nullable Duration parseDrainDelaySeconds(String raw, List<String> problems) {
        try {
            int seconds = Integer.parseInt(raw.strip());
            if (seconds >= 0 && seconds <= MAX_DRAIN_DELAY.toSeconds()) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add("DRAIN_DELAY_SECONDS: " + raw + " (expected: 0.." + MAX_DRAIN_DELAY.toSeconds() + ")");
        return null;
    }

    private static Networks networks(Map<String, String> env, String variable, Networks fallback, List<String> problems) {
        String raw = env.get(variable);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            return Networks.parse(variable, raw);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return fallback;
        }
    }

    public int port() {
        return port;
    }

    public String instanceId() {
        return instanceId;
    }

    /** {@code APP_ENV=development}: session cookies without {@code Secure}, for plain-http local runs. */
    public boolean development() {
        return development;
    }

    /** How long SIGTERM keeps the instance serving, readiness down, before it stops accepting connections. */
    public Duration drainDelay() {
        return drainDelay;
    }

    /** The proxies trusted to name the client ({@code TRUSTED_PROXIES}). */
    public Networks trustedProxies() {
        return trustedProxies;
    }

    /** The clients that may see internal-only answers ({@code INTERNAL_NETWORKS}). */
    public Networks internalNetworks() {
        return internalNetworks;
    }

    /** The job queue's settings ({@code JOBS_*}). */
    public JobSettings jobs() {
        return jobs;
    }

    /** The variables the toolkit's modules read themselves (secrets included: never log this). */
    Map<String, String> environment() {
        return environment;
    }

    @Override
    public String toString() {
        return "DemoConfig[port " + port + ", instance " + instanceId + (development ? ", development" : "") + "]";
    }
}
