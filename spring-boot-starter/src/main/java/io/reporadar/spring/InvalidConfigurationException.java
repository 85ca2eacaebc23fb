package io.reporadar.spring;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A part of the toolkit refused its configuration at start-up; every problem names the property (and the
 * environment variable) to fix. {@link ConfigurationFailureAnalyzer} turns it into Boot's failure report.
 * Messages never hold a secret's value: the readers report secrets by name and length only.
 */
public final class InvalidConfigurationException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String part;
    private final List<String> problems;

    public InvalidConfigurationException(String part, List<String> problems, @Nullable Throwable cause) {
        super("invalid " + part + " configuration: " + String.join("; ", problems), cause);
        this.part = part;
        this.problems = List.copyOf(problems);
    }

    /** Which part refused: {@code session}, {@code pooling}, {@code health}, {@code balancing}. */
    public String part() {
        return part;
    }

    public List<String> problems() {
        return problems;
    }
}
