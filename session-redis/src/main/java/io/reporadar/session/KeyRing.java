package io.reporadar.session;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM under a ring of keys: the primary key encrypts, the previous keys still decrypt, so keys can be
 * rotated without logging anyone out. Every ciphertext names the key that made it (a 4-byte id derived from
 * the key, never the key) and is bound to its associated data (the session and the attribute), so a value
 * copied to another session or field fails to decrypt.
 *
 * <p>Format: {@code version(1) | keyId(4) | nonce(12) | ciphertext+tag}. Thread-safe; the key material never
 * appears in {@link #toString()} or a message.
 */
public final class KeyRing {

    static final byte FORMAT = 1;
    private static final int KEY_ID_BYTES = 4;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    /*
     * Per thread, because both are costly to obtain and lock when shared: a Cipher lookup costs more than the
     * encryption of a small value, and a SecureRandom draw costs nearly as much again.
     */
    private static final ThreadLocal<Cipher> CIPHER = ThreadLocal.withInitial(KeyRing::newCipher);
    private static final ThreadLocal<Nonces> NONCES = ThreadLocal.withInitial(Nonces::new);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKey primary; // made once: each SessionEncryptionKey.secretKey() copies the key
    private final int primaryId;
    private final Map<Integer, SecretKey> byId;

    private KeyRing(SessionEncryptionKey primary, List<SessionEncryptionKey> previous) {
        this.primary = primary.secretKey();
        this.primaryId = keyId(primary);
        Map<Integer, SecretKey> keys = new LinkedHashMap<>();
        keys.put(primaryId, this.primary);
        for (SessionEncryptionKey key : previous) {
            keys.putIfAbsent(keyId(key), key.secretKey());
        }
        this.byId = keys;
    }

    public static KeyRing of(SessionEncryptionKey primary, List<SessionEncryptionKey> previous) {
        return new KeyRing(primary, List.copyOf(previous));
    }

    /** {@code SESSION_ENCRYPTION_KEY} and the comma-separated {@code SESSION_ENCRYPTION_KEY_PREVIOUS}. */
    public static KeyRing fromEnvironment(Map<String, String> env) {
        SessionEncryptionKey primary = SessionEncryptionKey.fromHex("SESSION_ENCRYPTION_KEY", env.get("SESSION_ENCRYPTION_KEY"));
        List<SessionEncryptionKey> previous = new ArrayList<>();
        String list = env.get("SESSION_ENCRYPTION_KEY_PREVIOUS");
        if (list != null && !list.isBlank()) {
            String[] parts = list.split(",");
            for (int i = 0; i < parts.length; i++) {
                previous.add(SessionEncryptionKey.fromHex("SESSION_ENCRYPTION_KEY_PREVIOUS[" + i + "]", parts[i]));
            }
        }
        return of(primary, previous);
    }

    /** Encrypts under the primary key. */
    public byte[] encrypt(byte[] associatedData, byte[] plaintext) {
        int header = 1 + KEY_ID_BYTES + NONCE_BYTES;
        byte[] out = new byte[header + plaintext.length + TAG_BITS / 8];
        byte[] nonce = NONCES.get().next();
        ByteBuffer.wrap(out).put(FORMAT).putInt(primaryId).put(nonce);
        try {
            Cipher cipher = CIPHER.get();
            cipher.init(Cipher.ENCRYPT_MODE, primary, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData);
            cipher.doFinal(plaintext, 0, plaintext.length, out, header);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available in this JVM: " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * Decrypts with the key the ciphertext names.
     *
     * @throws SessionDataException reason {@code unknown-key}, {@code tampered} or {@code format}
     */
    public byte[] decrypt(byte[] associatedData, byte[] ciphertext) {
        if (ciphertext.length < 1 + KEY_ID_BYTES + NONCE_BYTES + TAG_BITS / 8 || ciphertext[0] != FORMAT) {
            throw new SessionDataException("format", null);
        }
        ByteBuffer in = ByteBuffer.wrap(ciphertext);
        in.get();
        int keyId = in.getInt();
        SecretKey key = byId.get(keyId);
        if (key == null) {
            throw new SessionDataException("unknown-key", keyIdText(keyId));
        }
        try {
            Cipher cipher = CIPHER.get();
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, ciphertext, 1 + KEY_ID_BYTES, NONCE_BYTES));
            cipher.updateAAD(associatedData);
            int offset = 1 + KEY_ID_BYTES + NONCE_BYTES;
            return cipher.doFinal(ciphertext, offset, ciphertext.length - offset);
        } catch (AEADBadTagException e) {
            throw new SessionDataException("tampered", keyIdText(keyId));
        } catch (GeneralSecurityException e) {
            throw new SessionDataException("format", keyIdText(keyId));
        }
    }

    /** Whether this ciphertext was made with a key other than the primary one (it should be rewritten). */
    public boolean isStale(byte[] ciphertext) {
        return ciphertext.length >= 1 + KEY_ID_BYTES && ByteBuffer.wrap(ciphertext, 1, KEY_ID_BYTES).getInt() != primaryId;
    }

    /** The primary key's id in hex: safe to log, it identifies but does not reveal the key. */
    public String primaryKeyId() {
        return keyIdText(primaryId);
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available in this JVM: " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * GCM nonces by the deterministic construction of NIST SP 800-38D 8.2.1: a 64-bit fixed field drawn at random
     * per thread, then a 32-bit invocation counter; a new fixed field before the counter would wrap. Unique as
     * long as no two threads of any instance draw the same 64 bits (1 in 2^33 after 2^16 threads).
     */
    private static final class Nonces {
        private long fixed;
        private int counter;

        byte[] next() {
            if (counter == 0) { // the first call, and every 2^32 calls once the counter has wrapped
                fixed = RANDOM.nextLong();
            }
            return ByteBuffer.allocate(NONCE_BYTES).putLong(fixed).putInt(counter++).array();
        }
    }

    static String keyIdText(int id) {
        return String.format("%08x", id);
    }

    private static int keyId(SessionEncryptionKey key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("reporadar-session-key-id".getBytes(StandardCharsets.US_ASCII));
            sha.update(key.secretKey().getEncoded());
            return ByteBuffer.wrap(sha.digest(), 0, KEY_ID_BYTES).getInt();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "KeyRing[primary " + primaryKeyId() + ", " + (byId.size() - 1) + " previous]";
    }
}
