package io.reporadar.spring.health;

import io.reporadar.health.CheckStatus;
import io.reporadar.health.Health;
import io.reporadar.health.Result;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * Our checks as Actuator sees them: one {@link HealthIndicator} per check under the composite {@code reporadar}
 * ({@code /actuator/health/reporadar/redis}). An indicator reads the last result of a check that runs in the
 * background on its own schedule, so a health request never waits on a dependency.
 *
 * <p>Statuses: UP and DOWN as they are; a non-critical check that fails, or one that warns, is {@code WARN}
 * (Boot's default order ignores it: the instance stays in service; list it in
 * {@code management.endpoint.health.status.order} to rank it); a check with no result yet is UNKNOWN.
 */
public final class CheckIndicators {

    /** The contributor's name in Actuator, the prefix of every check's path. */
    public static final String NAME = "reporadar";
    static final Status WARN = new Status("WARN");

    private CheckIndicators() {
    }

    /** A composite with one indicator per check of {@code health}. */
    public static CompositeHealthContributor of(Health health) {
        Map<String, HealthIndicator> indicators = new LinkedHashMap<>();
        for (String name : health.checkNames()) {
            indicators.put(name, () -> toBoot(status(health, name)));
        }
        return CompositeHealthContributor.fromMap(indicators);
    }

    /** The Actuator paths ({@code reporadar/<check>}) of the checks in one of our groups (liveness, readiness). */
    static Set<String> members(Health health, String group) {
        return health.snapshot().checks().stream().filter(c -> c.groups().contains(group))
                .map(c -> NAME + "/" + c.name()).collect(Collectors.toUnmodifiableSet());
    }

    private static CheckStatus status(Health health, String name) {
        return health.snapshot().checks().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no check " + name));
    }

    private static org.springframework.boot.health.contributor.Health toBoot(CheckStatus check) {
        Result result = check.result();
        Status status = switch (result.status()) {
            case UP -> Status.UP;
            case WARN -> WARN;
            case UNKNOWN -> Status.UNKNOWN;
            case DOWN -> check.critical() ? Status.DOWN : WARN;
            case OUT_OF_SERVICE -> check.critical() ? Status.OUT_OF_SERVICE : WARN;
        };
        var health = org.springframework.boot.health.contributor.Health.status(status).withDetails(result.details())
                .withDetail("critical", check.critical());
        if (result.reason() != null) {
            health.withDetail("reason", result.reason());
        }
        if (check.consecutiveFailures() > 0) {
            health.withDetail("consecutiveFailures", check.consecutiveFailures());
        }
        return health.build();
    }
}
