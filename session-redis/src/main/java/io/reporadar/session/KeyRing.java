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
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM under a ring of keys: the primary key encrypts, the previous keys still decrypt, so keys can be
 * rotated without logging anyone out. Every ciphertext names the key that made it (a 4-byte id derived from
 * the key, never the key) and is bound to its associated data (the session and the attribute), so a value
 * copied to another session or field fails to decrypt.
 *
 * <p>Encryption is XAES-256-GCM (C2SP): each message gets its own AES-256-GCM key, derived from the ring's key
 * and the first half of a 24-byte random nonce (NIST SP 800-108r1 counter KDF with AES-256-CMAC), and the
 * second half as its GCM nonce. Random 192-bit nonces need no coordination between threads, restarts or
 * instances sharing the key: after 2^64 messages under one key the chance that any two share a derived key and
 * nonce is below 2^-64 (2^80 messages keep it below 2^-32), so no per-key message budget needs enforcing, which
 * plain AES-GCM with 96-bit random nonces would (2^32 messages for 2^-32). Format: {@code version(1) | keyId(4) |
 * nonce(24) | ciphertext+tag}; values of format 1 ({@code nonce(12)}, plain AES-256-GCM, written by earlier
 * builds) still decrypt. Thread-safe; the key material never appears in {@link #toString()} or a message.
 */
public final class KeyRing {

    static final byte FORMAT = 2;
    /** Plain AES-256-GCM with a 12-byte nonce: read, never written. */
    static final byte FORMAT_GCM = 1;
    private static final int KEY_ID_BYTES = 4;
    private static final int NONCE_BYTES = 24;
    private static final int GCM_NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    /*
     * Per thread, because both are costly to obtain and lock when shared: a Cipher lookup costs more than the
     * encryption of a small value, and a SecureRandom draw costs nearly as much again.
     */
    private static final ThreadLocal<Cipher> CIPHER = ThreadLocal.withInitial(() -> newCipher("AES/GCM/NoPadding"));
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(SecureRandom::new);

    private final XaesKey primary; // made once: each SessionEncryptionKey.secretKey() copies the key
    private final int primaryId;
    private final Map<Integer, XaesKey> byId;

    private KeyRing(SessionEncryptionKey primary, List<SessionEncryptionKey> previous) {
        this.primary = new XaesKey(primary.secretKey());
        this.primaryId = keyId(primary);
        Map<Integer, XaesKey> keys = new LinkedHashMap<>();
        keys.put(primaryId, this.primary);
        for (SessionEncryptionKey key : previous) {
            keys.computeIfAbsent(keyId(key), id -> new XaesKey(key.secretKey()));
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
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.get().nextBytes(nonce);
        ByteBuffer.wrap(out).put(FORMAT).putInt(primaryId).put(nonce);
        try {
            Cipher cipher = CIPHER.get();
            cipher.init(Cipher.ENCRYPT_MODE, primary.derive(nonce), new GCMParameterSpec(TAG_BITS, nonce, GCM_NONCE_BYTES, GCM_NONCE_BYTES));
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
        boolean xaes = ciphertext.length > 0 && ciphertext[0] == FORMAT;
        int nonceBytes = xaes ? NONCE_BYTES : GCM_NONCE_BYTES;
        if (ciphertext.length < 1 + KEY_ID_BYTES + nonceBytes + TAG_BITS / 8 || !xaes && ciphertext[0] != FORMAT_GCM) {
            throw new SessionDataException("format", null);
        }
        ByteBuffer in = ByteBuffer.wrap(ciphertext);
        in.get();
        int keyId = in.getInt();
        XaesKey key = byId.get(keyId);
        if (key == null) {
            throw new SessionDataException("unknown-key", keyIdText(keyId));
        }
        int nonceAt = 1 + KEY_ID_BYTES;
        try {
            Cipher cipher = CIPHER.get();
            if (xaes) {
                byte[] nonce = java.util.Arrays.copyOfRange(ciphertext, nonceAt, nonceAt + NONCE_BYTES);
                cipher.init(Cipher.DECRYPT_MODE, key.derive(nonce), new GCMParameterSpec(TAG_BITS, nonce, GCM_NONCE_BYTES, GCM_NONCE_BYTES));
            } else {
                cipher.init(Cipher.DECRYPT_MODE, key.key, new GCMParameterSpec(TAG_BITS, ciphertext, nonceAt, GCM_NONCE_BYTES));
            }
            cipher.updateAAD(associatedData);
            int offset = nonceAt + nonceBytes;
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

    /** XAES-256-GCM of {@code plaintext} (ciphertext and tag), for the specification's test vectors. */
    static byte[] xaes256Gcm(byte[] key, byte[] nonce, byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
        SecretKey derived = new XaesKey(new SecretKeySpec(key, "AES")).derive(nonce);
        Cipher cipher = newCipher("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, derived, new GCMParameterSpec(TAG_BITS, nonce, GCM_NONCE_BYTES, GCM_NONCE_BYTES));
        cipher.updateAAD(associatedData);
        return cipher.doFinal(plaintext);
    }

    private static Cipher newCipher(String transformation) {
        try {
            return Cipher.getInstance(transformation);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available in this JVM: " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * A key of the ring and what XAES-256-GCM derives message keys with: the CMAC subkey K1 of AES-256 under it
     * (computed once), and one AES block cipher under it per thread.
     */
    private static final class XaesKey {
        final SecretKey key;
        private final byte[] k1;
        private final ThreadLocal<Cipher> block;

        XaesKey(SecretKey key) {
            this.key = key;
            this.block = ThreadLocal.withInitial(() -> {
                Cipher aes = newCipher("AES/ECB/NoPadding");
                try {
                    aes.init(Cipher.ENCRYPT_MODE, key);
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("AES-256 is not available in this JVM: " + e.getClass().getSimpleName(), e);
                }
                return aes;
            });
            byte[] l = encryptBlock(new byte[16]);
            // K1 = L << 1, and 0x87 into the last byte when L's top bit was set (CMAC, SP 800-38B)
            this.k1 = new byte[16];
            for (int i = 0; i < 16; i++) {
                k1[i] = (byte) ((l[i] << 1) | (i < 15 ? (l[i + 1] & 0xff) >>> 7 : 0));
            }
            if ((l[0] & 0x80) != 0) {
                k1[15] ^= (byte) 0x87;
            }
        }

        /** The message key for {@code nonce}: AES_K(M1 xor K1) || AES_K(M2 xor K1), Mi = 0x00 i "X" 0x00 nonce[0..12]. */
        SecretKey derive(byte[] nonce) {
            byte[] derived = new byte[32];
            for (int i = 1; i <= 2; i++) {
                byte[] m = new byte[16];
                m[1] = (byte) i;
                m[2] = 'X';
                System.arraycopy(nonce, 0, m, 4, 12);
                for (int j = 0; j < 16; j++) {
                    m[j] ^= k1[j];
                }
                System.arraycopy(encryptBlock(m), 0, derived, (i - 1) * 16, 16);
            }
            return new SecretKeySpec(derived, "AES");
        }

        private byte[] encryptBlock(byte[] in) {
            try {
                return block.get().doFinal(in);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-256 is not available in this JVM: " + e.getClass().getSimpleName(), e);
            }
        }

        @Override
        public String toString() {
            return "XaesKey[value hidden]";
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
