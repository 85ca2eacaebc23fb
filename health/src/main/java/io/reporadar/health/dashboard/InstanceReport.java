package io.reporadar.health.dashboard;

import io.reporadar.health.CheckStatus;
import io.reporadar.health.HealthSnapshot;
import io.reporadar.health.Result;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * What one instance says about itself on the dashboard: readiness, lifecycle, requests in flight, every check
 * with its latency, its pool's figures, and how long ago it said so. An instance publishes its report to a registry
 * the others read ({@link #encode()}, {@link #decode(String)}); the values are shown as they are, escaped.
 *
 * <p>Immutable and thread-safe.
 *
 * @param id        the instance's id
 * @param lifecycle STARTING, READY, DRAINING or STOPPED
 * @param readiness the readiness group's status
 * @param inFlight  requests in flight
 * @param checks    every check, in registration order
 * @param pool      the connection pool's figures, by label, in display order
 * @param ageMillis how long ago the instance published the report (0 for one made just now)
 */
public record InstanceReport(String id, String lifecycle, String readiness, int inFlight, List<Check> checks, Map<String, String> pool,
        long ageMillis) {

    /** One check as the instance last saw it; {@code reason} is {@code null} when the result gave none. */
    public record Check(String name, String status, long durationMs, @Nullable String reason, String details) {
        public Check {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(details, "details");
        }
    }

    public InstanceReport {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(lifecycle, "lifecycle");
        Objects.requireNonNull(readiness, "readiness");
        checks = List.copyOf(checks);
        pool = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(pool));
    }

    /** The report of instance {@code id} from its health snapshot, requests in flight and pool figures. */
    public static InstanceReport of(String id, HealthSnapshot snapshot, int inFlight, Map<String, String> pool) {
        List<Check> checks = new ArrayList<>();
        for (CheckStatus check : snapshot.checks()) {
            Result result = check.result();
            String details = result.details().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
            checks.add(new Check(check.name(), result.status().name(), result.duration().toMillis(), result.reason(), details));
        }
        return new InstanceReport(id, snapshot.lifecycle().name(), snapshot.readiness().name(), inFlight, checks, pool, 0);
    }

    /** The same report, published {@code ageMillis} ago. */
    public InstanceReport withAge(long ageMillis) {
        return new InstanceReport(id, lifecycle, readiness, inFlight, checks, pool, ageMillis);
    }

    /** A text form for a registry ({@link #decode(String)} reads it back); the age is left out. */
    public String encode() {
        Properties properties = new Properties();
        properties.setProperty("id", id);
        properties.setProperty("lifecycle", lifecycle);
        properties.setProperty("readiness", readiness);
        properties.setProperty("inFlight", Integer.toString(inFlight));
        for (int i = 0; i < checks.size(); i++) {
            Check check = checks.get(i);
            properties.setProperty("check." + i + ".name", check.name());
            properties.setProperty("check." + i + ".status", check.status());
            properties.setProperty("check." + i + ".ms", Long.toString(check.durationMs()));
            if (check.reason() != null) {
                properties.setProperty("check." + i + ".reason", check.reason());
            }
            properties.setProperty("check." + i + ".details", check.details());
        }
        int i = 0;
        for (Map.Entry<String, String> figure : pool.entrySet()) {
            properties.setProperty("pool." + i + ".label", figure.getKey());
            properties.setProperty("pool." + i++ + ".value", figure.getValue());
        }
        StringWriter text = new StringWriter();
        try {
            properties.store(text, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return text.toString();
    }

    /**
     * Reads a report {@link #encode()} wrote.
     *
     * @throws IllegalArgumentException when the text is not such a report (naming what is missing)
     */
    public static InstanceReport decode(String text) {
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("instance report: unreadable (" + e.getMessage() + ")", e);
        }
        List<Check> checks = new ArrayList<>();
        for (int i = 0; properties.containsKey("check." + i + ".name"); i++) {
            String prefix = "check." + i + ".";
            checks.add(new Check(properties.getProperty(prefix + "name"), required(properties, prefix + "status"),
                    number(properties, prefix + "ms"), properties.getProperty(prefix + "reason"), properties.getProperty(prefix + "details", "")));
        }
        Map<String, String> pool = new LinkedHashMap<>();
        for (int i = 0; properties.containsKey("pool." + i + ".label"); i++) {
            pool.put(properties.getProperty("pool." + i + ".label"), required(properties, "pool." + i + ".value"));
        }
        return new InstanceReport(required(properties, "id"), required(properties, "lifecycle"), required(properties, "readiness"),
                (int) number(properties, "inFlight"), checks, pool, 0);
    }

    private static String required(Properties properties, String key) {
        String value = properties.getProperty(key);
        if (value == null) {
            throw new IllegalArgumentException("instance report: no " + key + " (expected: a report InstanceReport.encode() wrote)");
        }
        return value;
    }

    private static long number(Properties properties, String key) {
        String value = required(properties, key);
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("instance report: " + key + ": " + value + " (expected: a whole number)", e);
        }
    }
}
