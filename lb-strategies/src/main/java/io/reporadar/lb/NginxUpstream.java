package io.reporadar.lb;

import io.reporadar.lb.spi.NginxRenderable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Renders the nginx {@code upstream} block for a strategy and its endpoints, so that the load balancer in
 * front and the Java clients behind agree, and scaling to five instances is a change of list, not of
 * nginx.conf. Wherever nginx cannot do what the Java strategy does, the block says so in a comment.
 *
 * <pre>{@code
 * String block = NginxUpstream.builder("reporadar", Strategy.leastConnections())
 *         .servers(endpoints).maxFails(3).failTimeout(Duration.ofSeconds(10)).keepalive(32)
 *         .render();
 * }</pre>
 *
 * <p>Immutable once built; the builder is not thread-safe.
 */
public final class NginxUpstream {

    private NginxUpstream() {
    }

    public static Builder builder(String name, Strategy strategy) {
        return new Builder(name, strategy);
    }

    /** Collects the block's settings; {@link #render()} validates and renders them. */
    public static final class Builder {
        private final String name;
        private final Strategy strategy;
        private final List<Endpoint> servers = new ArrayList<>();
        private final Set<Endpoint> backups = new LinkedHashSet<>();
        private final Set<Endpoint> down = new LinkedHashSet<>();
        private @Nullable String hashKey; // null until set: render() then refuses a hash strategy
        private int maxFails = 1;
        private Duration failTimeout = Duration.ofSeconds(10);
        private int keepalive;
        private @Nullable Duration keepaliveTimeout; // null: no directive, nginx's default

        private Builder(String name, Strategy strategy) {
            if (name == null || !name.matches("[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException("upstream name: " + name + " (expected: letters, digits, '_', '.' or '-')");
            }
            this.name = name;
            this.strategy = java.util.Objects.requireNonNull(strategy, "strategy");
        }

        public Builder servers(Iterable<Endpoint> endpoints) {
            endpoints.forEach(servers::add);
            return this;
        }

        public Builder server(Endpoint endpoint) {
            servers.add(endpoint);
            return this;
        }

        /** A server used only when every primary one is unavailable (not with the hash strategies, as in nginx). */
        public Builder backup(Endpoint endpoint) {
            servers.add(endpoint);
            backups.add(endpoint);
            return this;
        }

        /** Marks a server as permanently unavailable (it keeps its place, so hashes do not move). */
        public Builder down(Endpoint endpoint) {
            down.add(endpoint);
            return this;
        }

        /** The key of {@link Strategy#consistentHash()}, an nginx expression such as {@code $cookie_sid} or {@code $arg_key}. */
        public Builder hashKey(String nginxExpression) {
            this.hashKey = nginxExpression;
            return this;
        }

        /** Failures within {@code fail_timeout} that make a server unavailable for {@code fail_timeout}; 0 disables. */
        public Builder maxFails(int maxFails) {
            if (maxFails < 0) {
                throw new IllegalArgumentException("maxFails: " + maxFails + " (expected: >= 0)");
            }
            this.maxFails = maxFails;
            return this;
        }

        public Builder failTimeout(Duration failTimeout) {
            if (failTimeout == null || failTimeout.isNegative() || failTimeout.isZero()) {
                throw new IllegalArgumentException("failTimeout: " + failTimeout + " (expected: a positive duration)");
            }
            this.failTimeout = failTimeout;
            return this;
        }

        /** Idle keep-alive connections to the servers cached per worker; 0 leaves the directive out. */
        public Builder keepalive(int connections) {
            if (connections < 0) {
                throw new IllegalArgumentException("keepalive: " + connections + " (expected: >= 0)");
            }
            this.keepalive = connections;
            return this;
        }

        /**
         * How long nginx keeps a cached connection idle before closing it itself ({@code keepalive_timeout}, nginx
         * default 60 s). Keep it below the servers' drain delay: a server that stops closes the idle connections
         * nginx still caches, and a POST nginx sends on one at that moment fails (nginx never resends a POST).
         */
        public Builder keepaliveTimeout(Duration timeout) {
            if (timeout == null || timeout.toMillis() < 1) {
                throw new IllegalArgumentException("keepaliveTimeout: " + timeout + " (expected: at least 1 ms)");
            }
            this.keepaliveTimeout = timeout;
            return this;
        }

        public String render() {
            if (servers.isEmpty()) {
                throw new IllegalArgumentException("upstream " + name + ": no servers (expected: at least one)");
            }
            String strategyName = strategy.name();
            if (!(strategy instanceof NginxRenderable renderable)) {
                throw new IllegalArgumentException("upstream " + name + ": strategy " + strategyName
                        + " has no nginx equivalent (expected: a strategy that implements NginxRenderable)");
            }
            if (!renderable.nginxAllowsBackup() && !backups.isEmpty()) {
                throw new IllegalArgumentException("upstream " + name + ": backup servers " + backups + " (expected: none with "
                        + strategyName + ", whose nginx directive does not allow backup servers)");
            }
            if (renderable.nginxNeedsHashKey() && (hashKey == null || hashKey.isBlank())) {
                throw new IllegalArgumentException("upstream " + name + ": no hashKey (expected: an nginx expression such as $cookie_sid)");
            }
            StringBuilder out = new StringBuilder();
            out.append("# Rendered by reporadar-lb-strategies for strategy ").append(strategyName).append(", ")
                    .append(servers.size()).append(servers.size() == 1 ? " server.\n" : " servers.\n");
            out.append("upstream ").append(name).append(" {\n");
            for (String line : renderable.nginxLines(renderable.nginxNeedsHashKey() ? hashKey : null)) {
                if (line == null || line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
                    throw new IllegalArgumentException("upstream " + name + ": strategy " + strategyName + " rendered the line "
                            + (line == null ? "null" : "\"" + line.replace("\n", "\\n").replace("\r", "\\r") + "\"")
                            + " (expected: one line of text)");
                }
                out.append("    ").append(line).append('\n');
            }
            for (Endpoint server : servers) {
                out.append("    server ").append(server.address());
                if (server.weight() != Endpoint.DEFAULT_WEIGHT) {
                    out.append(" weight=").append(server.weight());
                }
                out.append(" max_fails=").append(maxFails).append(" fail_timeout=").append(seconds(failTimeout));
                if (backups.contains(server)) {
                    out.append(" backup");
                }
                if (down.contains(server)) {
                    out.append(" down");
                }
                out.append(";\n");
            }
            if (keepalive > 0) {
                out.append("    keepalive ").append(keepalive).append(";\n");
                if (keepaliveTimeout != null) {
                    out.append("    keepalive_timeout ").append(keepaliveTimeout.toMillis()).append("ms;\n");
                }
            }
            return out.append("}\n").toString();
        }

        private static String seconds(Duration d) {
            return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
        }
    }
}
