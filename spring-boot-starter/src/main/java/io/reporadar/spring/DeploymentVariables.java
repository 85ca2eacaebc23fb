package io.reporadar.spring;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.core.env.Environment;

/**
 * The deployment's environment variables ({@code REDIS_URL}, {@code SESSION_SECRET}, {@code DATABASE_URL}, ...) as
 * the toolkit's readers expect them, filled from Spring's {@link Environment}: a {@code reporadar.*} property wins,
 * then the variable itself, then a Spring property that means the same (such as {@code spring.data.redis.url}).
 * Errors the readers report by variable are reported again by property, so start-up names what to fix where the
 * user set it.
 *
 * <pre>{@code
 * DeploymentVariables variables = new DeploymentVariables(environment)
 *         .put("REDIS_URL", "reporadar.session.redis-url", properties.getRedisUrl(), "spring.data.redis.url");
 * SessionStores.Opened opened = variables.read("session", env -> SessionStores.fromEnvironment(env, codec));
 * }</pre>
 *
 * <p>Not thread-safe: built and read once, at start-up.
 */
public final class DeploymentVariables {

    private static final Pattern VARIABLE = Pattern.compile("\\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\\b");
    /** Where the readers' "; "-joined problems meet: the next one starts with a name and a colon or a parenthesis. */
    private static final Pattern PROBLEM_BOUNDARY = Pattern.compile("; (?=[A-Za-z][\\w.\\[\\]-]* ?[(:])");

    private final Environment environment;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, String> propertyOf = new LinkedHashMap<>();

    public DeploymentVariables(Environment environment) {
        this.environment = environment;
    }

    /**
     * Sets {@code variable} from the first of: the bound {@code value} of {@code property}, the variable itself,
     * the {@code fallbacks} (Spring properties that mean the same). Left unset when none has a value.
     */
    public DeploymentVariables put(String variable, String property, @Nullable Object value, String... fallbacks) {
        propertyOf.put(variable, property);
        String chosen = value == null ? null : text(value);
        if (chosen == null) {
            chosen = environment.getProperty(variable);
        }
        for (int i = 0; chosen == null && i < fallbacks.length; i++) {
            chosen = environment.getProperty(fallbacks[i]);
            if (chosen != null) {
                propertyOf.put(variable, fallbacks[i]); // an error names where the value was set
            }
        }
        if (chosen != null) {
            values.put(variable, chosen);
        }
        return this;
    }

    /** Sets a variable the toolkit reads that has no property of its own (taken from the environment as is). */
    public DeploymentVariables passThrough(String... variables) {
        for (String variable : variables) {
            String value = environment.getProperty(variable);
            if (value != null) {
                values.put(variable, value);
            }
        }
        return this;
    }

    /** The variables as a reader's {@code fromEnvironment(Map)} takes them. */
    public Map<String, String> values() {
        return Map.copyOf(values);
    }

    /**
     * Runs a reader over the variables; its {@link IllegalArgumentException}, which names variables, becomes an
     * {@link InvalidConfigurationException} naming the properties too.
     */
    public <T> T read(String part, Function<Map<String, String>, T> reader) {
        try {
            return reader.apply(values());
        } catch (IllegalArgumentException e) {
            String message = rename(String.valueOf(e.getMessage())).replaceFirst("^invalid [a-z ]+ configuration: ", "");
            throw new InvalidConfigurationException(part, List.of(PROBLEM_BOUNDARY.split(message)), e);
        }
    }

    /** {@code SESSION_SECRET: missing} becomes {@code reporadar.session.secret (SESSION_SECRET): missing}. */
    public String rename(String message) {
        Matcher m = VARIABLE.matcher(message);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String property = propertyOf.get(m.group());
            m.appendReplacement(out, Matcher.quoteReplacement(property == null ? m.group() : property + " (" + m.group() + ")"));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static @Nullable String text(Object value) {
        if (value instanceof List<?> list) {
            List<String> parts = new ArrayList<>();
            list.forEach(v -> parts.add(String.valueOf(v)));
            return parts.isEmpty() ? null : String.join(",", parts);
        }
        String s = String.valueOf(value);
        return s.isBlank() ? null : s;
    }

    @Override
    public String toString() {
        // Values are secrets: only the names.
        return "DeploymentVariables" + values.keySet();
    }
}
