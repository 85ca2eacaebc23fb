package io.reporadar.session;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import java.util.Objects;

/**
 * The signing secrets ({@code SESSION_SECRET} and {@code SESSION_SECRET_PREVIOUS}): they sign session cookies
 * with HMAC-SHA256 and derive the Redis key of a session from its id, so that a Redis dump shows no usable
 * session id.
 *
 * <p>Two cookie formats: ours, {@code <id>.<base64url signature>}, and express-session's
 * {@code s:<id>.<base64 signature>} so that Node and Java instances can share sessions. Verification tries
 * every secret in constant time. Thread-safe; secrets never appear in {@link #toString()} or a message.
 */
public final class SessionSecrets {

    /** At least this many characters, as the deployment guide requires. */
    public static final int MIN_SECRET_LENGTH = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

    /** How a session id travels in its cookie. */
    public enum CookieFormat {
        /** {@code <id>.<base64url HMAC-SHA256>} */
        REPORADAR,
        /** express-session: {@code s:<id>.<base64 HMAC-SHA256 without padding>} */
        EXPRESS
    }

    private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9_-]{20,128}");
    /** One SHA-256 per thread: looking one up costs more than using it. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    });

    private final List<HmacKey> secrets;
    private final CookieFormat format;

    private SessionSecrets(List<byte[]> secrets, CookieFormat format) {
        this.secrets = secrets.stream().map(HmacKey::new).toList();
        this.format = format;
    }

    /**
     * Secrets that sign session cookies and derive Redis keys.
     *
     * @param current  the secret that signs
     * @param previous secrets that still verify (rotation)
     */
    public static SessionSecrets of(@Nullable String current, List<String> previous, CookieFormat format) {
        List<String> problems = new ArrayList<>();
        check("SESSION_SECRET", current, problems);
        for (int i = 0; i < previous.size(); i++) {
            check("SESSION_SECRET_PREVIOUS[" + i + "]", previous.get(i), problems);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        List<byte[]> all = new ArrayList<>();
        all.add(Objects.requireNonNull(current, "SESSION_SECRET").getBytes(StandardCharsets.UTF_8)); // checked above
        previous.forEach(p -> all.add(p.getBytes(StandardCharsets.UTF_8)));
        return new SessionSecrets(List.copyOf(all), format);
    }

    /** {@code SESSION_SECRET}, {@code SESSION_SECRET_PREVIOUS} (comma-separated) and {@code SESSION_COOKIE_FORMAT}. */
    public static SessionSecrets fromEnvironment(Map<String, String> env) {
        List<String> previous = new ArrayList<>();
        String list = env.get("SESSION_SECRET_PREVIOUS");
        if (list != null && !list.isBlank()) {
            previous.addAll(List.of(list.split(",")));
        }
        String formatName = env.getOrDefault("SESSION_COOKIE_FORMAT", "reporadar").strip();
        CookieFormat format = switch (formatName) {
            case "reporadar" -> CookieFormat.REPORADAR;
            case "express" -> CookieFormat.EXPRESS;
            default -> throw new IllegalArgumentException("SESSION_COOKIE_FORMAT: " + formatName + " (expected: reporadar or express)");
        };
        return of(env.get("SESSION_SECRET"), previous, format);
    }

    /** A new session id: 256 random bits, base64url (43 characters). */
    static String newSessionId() {
        byte[] id = new byte[32];
        RANDOM.nextBytes(id);
        return URL.encodeToString(id);
    }

    /** The cookie value carrying {@code sessionId}, signed with the current secret. */
    String sign(String sessionId) {
        byte[] mac = secrets.get(0).sign(sessionId.getBytes(StandardCharsets.US_ASCII));
        return format == CookieFormat.EXPRESS
                ? "s:" + sessionId + "." + Base64.getEncoder().withoutPadding().encodeToString(mac)
                : sessionId + "." + URL.encodeToString(mac);
    }

    /** The session id of a cookie value whose signature one of the secrets made; empty otherwise. */
    Optional<String> verify(@Nullable String cookieValue) {
        if (cookieValue == null) {
            return Optional.empty();
        }
        String value = cookieValue;
        if (format == CookieFormat.EXPRESS) {
            // express-session writes encodeURIComponent of the whole value: "s%3A<id>.<signature>", where the
            // signature's '+' and '/' arrive as %2B and %2F.
            value = percentDecoded(value);
            if (value == null || !value.startsWith("s:")) {
                return Optional.empty();
            }
            value = value.substring(2);
        }
        int dot = value.lastIndexOf('.');
        if (dot < 1 || value.length() > 256) {
            return Optional.empty();
        }
        String id = value.substring(0, dot);
        if (!SESSION_ID.matcher(id).matches()) {
            return Optional.empty();
        }
        byte[] presented = value.substring(dot + 1).getBytes(StandardCharsets.US_ASCII);
        boolean valid = false;
        for (HmacKey secret : secrets) {
            byte[] mac = secret.sign(id.getBytes(StandardCharsets.US_ASCII));
            byte[] expected = (format == CookieFormat.EXPRESS ? Base64.getEncoder().withoutPadding() : URL)
                    .encodeToString(mac).getBytes(StandardCharsets.US_ASCII);
            valid |= MessageDigest.isEqual(expected, presented);
        }
        return valid ? Optional.of(id) : Optional.empty();
    }

    /** {@code value} with its %XX escapes decoded (ASCII only, as in a cookie); null when one is malformed. */
    private static @Nullable String percentDecoded(String value) {
        if (value.indexOf('%') < 0) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i + 2 >= value.length()) {
                return null;
            }
            int high = Character.digit(value.charAt(i + 1), 16);
            int low = Character.digit(value.charAt(i + 2), 16);
            if (high < 0 || low < 0 || high > 7) {
                return null;
            }
            out.append((char) (high * 16 + low));
            i += 2;
        }
        return out.toString();
    }

    /**
     * The Redis key of a session: a hash of its id. The id is 256 random bits and travels only in the cookie, so a
     * dump of Redis does not lead back to it; and the key is the same under every secret, so that instances mid
     * rotation, signing with different secrets, find and end the same session.
     */
    String redisKey(String prefix, String sessionId) {
        return prefix + URL.encodeToString(sha256("reporadar-session key\0" + sessionId)).substring(0, 32);
    }

    /**
     * The hash field of an attribute: a hash of the session's id and the attribute's name (the name itself travels
     * encrypted in the value), so that a dump shows neither which attributes a session has nor which sessions share
     * one; independent of the secrets, as {@link #redisKey}.
     */
    byte[] fieldName(String sessionId, String attribute) {
        return ("f" + URL.encodeToString(sha256("reporadar-session field\0" + sessionId + "\0" + attribute)).substring(0, 22))
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] sha256(String text) {
        return SHA256.get().digest(text.getBytes(StandardCharsets.UTF_8));
    }

    public CookieFormat format() {
        return format;
    }

    @Override
    public String toString() {
        return "SessionSecrets[" + secrets.size() + " secret(s), format " + format + "]";
    }

    private static void check(String name, @Nullable String secret, List<String> problems) {
        if (secret == null || secret.isBlank()) {
            problems.add(name + ": missing (expected: at least " + MIN_SECRET_LENGTH + " characters; generate one with:"
                    + " openssl rand -base64 48)");
        } else if (secret.length() < MIN_SECRET_LENGTH) {
            problems.add(name + ": " + secret.length() + " characters (expected: at least " + MIN_SECRET_LENGTH + ")");
        }
    }

    /** An HMAC-SHA256 key with one initialised Mac per thread: looking one up costs more than using it. */
    private static final class HmacKey {
        private final ThreadLocal<Mac> mac;

        HmacKey(byte[] key) {
            SecretKeySpec spec = new SecretKeySpec(key, "HmacSHA256");
            this.mac = ThreadLocal.withInitial(() -> {
                try {
                    Mac m = Mac.getInstance("HmacSHA256");
                    m.init(spec);
                    return m;
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
                }
            });
        }

        /** doFinal leaves the Mac reset and keyed for the next message. */
        byte[] sign(byte[] message) {
            return mac.get().doFinal(message);
        }

        @Override
        public String toString() {
            return "HmacKey[value hidden]";
        }
    }
}
