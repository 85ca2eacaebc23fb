package io.reporadar.session;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * A 256-bit AES key for session data, read from its 64-hex-digit form ({@code SESSION_ENCRYPTION_KEY}).
 *
 * <p>The key material never appears in {@link #toString()} or in an error message: a message about a bad
 * key says what is wrong with it (its length, the position of a non-hex character), never its value.
 * Immutable and thread-safe.
 */
public final class SessionEncryptionKey {

    private static final int HEX_DIGITS = 64;

    private final byte[] key;
    private final String id;

    private SessionEncryptionKey(byte[] key) {
        this.key = key;
        this.id = idOf(key);
    }

    /**
     * Parses a key given as 64 hex digits.
     *
     * @param variable the name to blame in error messages (the environment variable it came from)
     * @param hex      the key; surrounding whitespace is ignored
     */
    public static SessionEncryptionKey fromHex(String variable, @Nullable String hex) {
        if (hex == null || hex.isBlank()) {
            throw new IllegalArgumentException(variable + ": missing (expected: 64 hex digits;"
                    + " generate one with: openssl rand -hex 32)");
        }
        String trimmed = hex.strip();
        if (trimmed.length() != HEX_DIGITS) {
            throw new IllegalArgumentException(variable + ": " + trimmed.length() + " characters (expected: 64 hex digits)");
        }
        byte[] key = new byte[HEX_DIGITS / 2];
        for (int i = 0; i < HEX_DIGITS; i += 2) {
            int high = Character.digit(trimmed.charAt(i), 16);
            int low = Character.digit(trimmed.charAt(i + 1), 16);
            if (high < 0 || low < 0) {
                Arrays.fill(key, (byte) 0);
                int position = (high < 0 ? i : i + 1) + 1;
                throw new IllegalArgumentException(variable + ": non-hex character at position " + position
                        + " (expected: 64 hex digits)");
            }
            key[i / 2] = (byte) ((high << 4) | low);
        }
        return new SessionEncryptionKey(key);
    }

    /** The key for a {@code javax.crypto} cipher. */
    public SecretKey secretKey() {
        return new SecretKeySpec(key, "AES");
    }

    /**
     * The key's id: 8 hex digits derived from the key by SHA-256 (domain-separated), written into every
     * ciphertext it makes. Safe to log: it identifies the key but does not reveal it.
     */
    public String id() {
        return id;
    }

    private static String idOf(byte[] key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("reporadar-session-key-id".getBytes(StandardCharsets.US_ASCII));
            sha.update(key);
            return HexFormat.of().formatHex(sha.digest(), 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "SessionEncryptionKey[AES-256, value hidden]";
    }
}
