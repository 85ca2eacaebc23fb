package io.reporadar.lb;

import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One instance a balancer may send requests to: a host, a port and a relative weight (nginx's
 * {@code server host:port weight=N}).
 *
 * <p>Immutable and thread-safe.
 */
public final class Endpoint {

    /** nginx's default weight. */
    public static final int DEFAULT_WEIGHT = 1;

    private final String host;
    private final int port;
    private final int weight;

    private Endpoint(String host, int port, int weight) {
        this.host = host;
        this.port = port;
        this.weight = weight;
    }

    /** An endpoint with the default weight. */
    public static Endpoint of(String host, int port) {
        return of(host, port, DEFAULT_WEIGHT);
    }

    public static Endpoint of(String host, int port, int weight) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host: " + (host == null ? "null" : "\"" + host + "\"") + " (expected: a host name or address)");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
        }
        if (weight < 1) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: >= 1)");
        }
        return new Endpoint(host.toLowerCase(Locale.ROOT), port, weight);
    }

    /**
     * Parses {@code host:port}, {@code [ipv6]:port}, optionally followed by {@code weight=N} as in an nginx
     * {@code server} line.
     */
    public static Endpoint parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        String[] parts = spec.trim().split("\\s+", -1); // trimmed: no empty piece but for a blank spec
        String address = parts[0];
        int weight = DEFAULT_WEIGHT;
        for (int i = 1; i < parts.length; i++) {
            if (!parts[i].startsWith("weight=")) {
                throw new IllegalArgumentException("endpoint: \"" + spec + "\" (expected: host:port [weight=N], unknown \"" + parts[i] + "\")");
            }
            weight = number(spec, "weight", parts[i].substring("weight=".length()));
        }
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1 || (address.startsWith("[") && !address.substring(0, colon).endsWith("]"))) {
            throw new IllegalArgumentException("endpoint: \"" + spec + "\" (expected: host:port [weight=N])");
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        return of(host, number(spec, "port", address.substring(colon + 1)), weight);
    }

    private static int number(String spec, String what, String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("endpoint: \"" + spec + "\" (expected: a number as " + what + ", got \"" + text + "\")");
        }
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public int weight() {
        return weight;
    }

    /** {@code host:port}, with brackets around an IPv6 address, as nginx writes it. */
    public String address() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    /** Endpoints are equal when host and port are; the weight is a property of the membership, not identity. */
    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof Endpoint other && host.equals(other.host) && port == other.port;
    }

    @Override
    public int hashCode() {
        return 31 * host.hashCode() + port;
    }

    @Override
    public String toString() {
        return weight == DEFAULT_WEIGHT ? address() : address() + " weight=" + weight;
    }
}
