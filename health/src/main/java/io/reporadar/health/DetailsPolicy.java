package io.reporadar.health;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * Who may see the details of the health endpoints (check names, reasons, details): everyone, nobody, callers
 * on the loopback interface, or callers presenting a bearer token. Others get the status alone.
 *
 * <p>Immutable and thread-safe; the token never appears in {@link #toString()}.
 */
public final class DetailsPolicy {

    private enum Kind { ALWAYS, NEVER, LOOPBACK, TOKEN }

    private final Kind kind;
    private final byte[] token;

    private DetailsPolicy(Kind kind, byte[] token) {
        this.kind = kind;
        this.token = token;
    }

    public static DetailsPolicy always() {
        return new DetailsPolicy(Kind.ALWAYS, null);
    }

    public static DetailsPolicy never() {
        return new DetailsPolicy(Kind.NEVER, null);
    }

    /** Details for callers on 127.0.0.0/8 or ::1 (a sidecar, an operator on the host); the default. */
    public static DetailsPolicy loopback() {
        return new DetailsPolicy(Kind.LOOPBACK, null);
    }

    /** Details for callers sending {@code Authorization: Bearer <token>}; compared in constant time. */
    public static DetailsPolicy token(String token) {
        if (token == null || token.length() < 16) {
            throw new IllegalArgumentException("health details token: " + (token == null ? "missing" : token.length()
                    + " characters") + " (expected: at least 16 characters)");
        }
        return new DetailsPolicy(Kind.TOKEN, token.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param loopback      whether the caller connected from a loopback address
     * @param authorization the caller's {@code Authorization} header, or {@code null}
     */
    public boolean allows(boolean loopback, String authorization) {
        switch (kind) {
            case ALWAYS:
                return true;
            case LOOPBACK:
                return loopback;
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
        return "DetailsPolicy[" + kind.name().toLowerCase(java.util.Locale.ROOT) + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DetailsPolicy other && kind == other.kind && MessageDigest.isEqual(token, other.token);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind);
    }
}
