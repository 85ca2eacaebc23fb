package io.reporadar.spring;

import io.reporadar.pooling.ConnectionBudgetException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;

/**
 * Boot's start-up failure report for the toolkit's refusals: a configuration problem names the property to fix,
 * a connection budget overrun shows its arithmetic and the ways out. Registered in {@code META-INF/spring.factories}.
 */
public final class ConfigurationFailureAnalyzer implements FailureAnalyzer {

    @Override
    public @Nullable FailureAnalysis analyze(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InvalidConfigurationException invalid) {
                return new FailureAnalysis("The RepoRadar " + invalid.part() + " configuration is invalid:\n  - "
                        + String.join("\n  - ", invalid.problems()),
                        "Set the properties named above (or their environment variables) to valid values.", invalid);
            }
            if (t instanceof ConnectionBudgetException budget) {
                return new FailureAnalysis("The connection pool does not fit the PostgreSQL server: " + budget.getMessage(),
                        "Follow the fix above (reporadar.pooling.* properties or the DB_POOL_*, INSTANCE_* variables),"
                                + " or set reporadar.pooling.policy=warn-and-shrink to start with a smaller pool.", budget);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
