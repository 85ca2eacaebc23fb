package io.reporadar.health;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Who may see the details of the health endpoints (check names, reasons, details): everyone, nobody, callers
 * from given networks (the loopback interface by default), or callers presenting a bearer token. Others get the
 * status alone. Behind a proxy, the caller is the client the proxy names (see {@link Networks#client}), as the
 * adapters given the trusted proxies work it out.
 *
 * <p>Immutable and thread-safe; the token never appears in {@link #toString()}.
 */
public final class DetailsPolicy {

    private enum Kind { ALWAYS, NEVER, NETWORKS, TOKEN }

    private static final byte[] NO_TOKEN = new byte[0];

    private final Kind kind;
    private final byte[] token; // empty unless TOKEN
    private final Networks networks; // NONE unless NETWORKS

    private DetailsPolicy(Kind kind, byte[] token, Networks networks) {
        this.kind = kind;
        this.token = token;
        this.networks = networks;
    }

    public static DetailsPolicy always() {
        return new DetailsPolicy(Kind.ALWAYS, NO_TOKEN, Networks.NONE);
    }

    public static DetailsPolicy never() {
        return new DetailsPolicy(Kind.NEVER, NO_TOKEN, Networks.NONE);
    }

    /** Details for callers on 127.0.0.0/8 or ::1 (a sidecar, an operator on the host); the default. */
    public static DetailsPolicy loopback() {
        return networks(Networks.LOOPBACK);
    }

    /** Details for callers from {@code networks}, such as {@link Networks#INTERNAL}. */
    public static DetailsPolicy networks(Networks networks) {
        return new DetailsPolicy(Kind.NETWORKS, NO_TOKEN, Objects.requireNonNull(networks, "networks"));
    }

    /** Details for callers sending {@code Authorization: Bearer <token>}; compared in constant time. */
    public static DetailsPolicy token(String token) {
        if (token == null || token.length() < 16) {
            throw new IllegalArgumentException("health details token: " + (token == null ? "missing" : token.length()
                    + " characters") + " (expected: at least 16 characters)");
        }
        return new DetailsPolicy(Kind.TOKEN, token.getBytes(StandardCharsets.UTF_8), Networks.NONE);
    }

    /**
     * Whether this caller may see the details.
     *
     * @param client        the caller (the client a trusted proxy named), or {@code null} when unknown
     * @param authorization the caller's {@code Authorization} header, or {@code null} when it sent none
     */
    public boolean allows(@Nullable InetAddress client, @Nullable String authorization) {
        return switch (kind) {
            case ALWAYS -> true;
            case NEVER -> false;
            case NETWORKS -> networks.contains(client);
            case TOKEN -> bearer(authorization);
        };
    }

    /** Whether {@code authorization} is {@code Bearer <the token>}, compared in constant time. */
    private boolean bearer(@Nullable String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return false;
        }
        byte[] presented = authorization.substring("Bearer ".length()).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(presented, token);
    }

    @Override
    public String toString() {
        return "DetailsPolicy[" + kind.name().toLowerCase(java.util.Locale.ROOT) + (kind == Kind.NETWORKS ? " " + networks : "") + "]";
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof DetailsPolicy other && kind == other.kind && MessageDigest.isEqual(token, other.token)
                && Objects.equals(networks, other.networks);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind);
    }
}
