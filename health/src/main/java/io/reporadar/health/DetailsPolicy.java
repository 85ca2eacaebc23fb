package io.reporadar.health;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

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

    private final Kind kind;
    private final byte[] token;
    private final Networks networks;

    private DetailsPolicy(Kind kind, byte[] token, Networks networks) {
        this.kind = kind;
        this.token = token;
        this.networks = networks;
    }

    public static DetailsPolicy always() {
        return new DetailsPolicy(Kind.ALWAYS, null, null);
    }

    public static DetailsPolicy never() {
        return new DetailsPolicy(Kind.NEVER, null, null);
    }

    /** Details for callers on 127.0.0.0/8 or ::1 (a sidecar, an operator on the host); the default. */
    public static DetailsPolicy loopback() {
        return networks(Networks.LOOPBACK);
    }

    /** Details for callers from {@code networks}, such as {@link Networks#INTERNAL}. */
    public static DetailsPolicy networks(Networks networks) {
        return new DetailsPolicy(Kind.NETWORKS, null, Objects.requireNonNull(networks, "networks"));
    }

    /** Details for callers sending {@code Authorization: Bearer <token>}; compared in constant time. */
    public static DetailsPolicy token(String token) {
        if (token == null || token.length() < 16) {
            throw new IllegalArgumentException("health details token: " + (token == null ? "missing" : token.length()
                    + " characters") + " (expected: at least 16 characters)");
        }
        return new DetailsPolicy(Kind.TOKEN, token.getBytes(StandardCharsets.UTF_8), null);
    }

    /**
     * @param client        the caller (the client a trusted proxy named), or {@code null} when unknown
     * @param authorization the caller's {@code Authorization} header, or {@code null}
     */
    public boolean allows(InetAddress client, String authorization) {
        switch (kind) {
            case ALWAYS:
                return true;
            case NETWORKS:
                return networks.contains(client);
            case TOKEN:
                if (authorization == null || !authorization.startsWith("Bearer ")) {
                    return false;
                }
                byte[] presented = authorization.substring("Bearer ".length()).strip().getBytes(StandardCharsets.UTF_8);
                return MessageDigest.isEqual(presented, token);
            default:
                return false;
        }
    }

    @Override
    public String toString() {
        return "DetailsPolicy[" + kind.name().toLowerCase(java.util.Locale.ROOT) + (networks == null ? "" : " " + networks) + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DetailsPolicy other && kind == other.kind && MessageDigest.isEqual(token, other.token)
                && Objects.equals(networks, other.networks);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind);
    }
}
