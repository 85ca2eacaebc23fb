package io.reporadar.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The keys session data is encrypted under: the primary key encrypts, the previous keys still decrypt, so keys
 * can be rotated without logging anyone out. Every ciphertext names the key that made it (a 4-byte id derived
 * from the key, never the key) and is bound to the session and attribute it belongs to, so a value copied to
 * another session or field fails to decrypt. The encryption is XAES-256-GCM (C2SP), with random 192-bit nonces
 * that need no coordination between threads, restarts or instances sharing the keys.
 *
 * <pre>{@code
 * KeyRing keys = KeyRing.fromEnvironment(System.getenv());   // SESSION_ENCRYPTION_KEY, SESSION_ENCRYPTION_KEY_PREVIOUS
 * }</pre>
 *
 * <p>Immutable and thread-safe; the key material never appears in {@link #toString()} or a message.
 */
public final class KeyRing {

    private final SessionEncryptionKey primary;
    private final List<SessionEncryptionKey> previous;

    private KeyRing(SessionEncryptionKey primary, List<SessionEncryptionKey> previous) {
        this.primary = primary;
        this.previous = previous;
    }

    /** A ring that encrypts under {@code primary} and still decrypts what {@code previous} keys encrypted. */
    public static KeyRing of(SessionEncryptionKey primary, List<SessionEncryptionKey> previous) {
        return new KeyRing(primary, List.copyOf(previous));
    }

    /** {@code SESSION_ENCRYPTION_KEY} and the comma-separated {@code SESSION_ENCRYPTION_KEY_PREVIOUS}. */
    public static KeyRing fromEnvironment(Map<String, String> env) {
        SessionEncryptionKey primary = SessionEncryptionKey.fromHex("SESSION_ENCRYPTION_KEY", env.get("SESSION_ENCRYPTION_KEY"));
        List<SessionEncryptionKey> previous = new ArrayList<>();
        String list = env.get("SESSION_ENCRYPTION_KEY_PREVIOUS");
        if (list != null && !list.isBlank()) {
            String[] parts = list.split(",", -1);
            for (int i = 0; i < parts.length; i++) {
                if (parts[i].isBlank() && i == parts.length - 1) {
                    continue; // a trailing comma
                }
                previous.add(SessionEncryptionKey.fromHex("SESSION_ENCRYPTION_KEY_PREVIOUS[" + i + "]", parts[i]));
            }
        }
        return of(primary, previous);
    }

    /** The key that encrypts. */
    public SessionEncryptionKey primary() {
        return primary;
    }

    /** The keys that still decrypt what they encrypted before a rotation, newest first as configured. */
    public List<SessionEncryptionKey> previous() {
        return previous;
    }

    /** The primary key's id in hex: safe to log, it identifies but does not reveal the key. */
    public String primaryKeyId() {
        return primary.id();
    }

    @Override
    public String toString() {
        return "KeyRing[primary " + primaryKeyId() + ", " + previous.size() + " previous]";
    }
}
