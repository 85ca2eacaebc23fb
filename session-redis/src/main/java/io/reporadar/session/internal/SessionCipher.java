package io.reporadar.session.internal;

import io.reporadar.session.KeyRing;
import io.reporadar.session.SessionEncryptionKey;
import io.reporadar.session.SessionObserver.Unreadable;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The encryption of a {@link KeyRing}: XAES-256-GCM (C2SP) under the primary key, decryption under any key of
 * the ring. A message's AES-256-GCM key is derived from the ring's key and the first half of its 24-byte random
 * nonce (NIST SP 800-108r1 counter KDF with AES-256-CMAC), the second half being its GCM nonce. A thread seals up
 * to {@value #MESSAGES_PER_DERIVED_KEY} messages with one random first half (one derived key, whose AES key schedule
 * is then computed once instead of per message), each with a fresh random second half; for decryption a thread
 * keeps its last {@value #OPENING_KEYS} derived keys, for the next messages with the same first halves. Random nonces need no coordination
 * between threads, restarts or instances sharing the key: after 2^48 messages under one key the chance that any two
 * share a derived key and GCM nonce is below 2^-43 (2^64 messages: 2^-27), so no per-key message budget needs
 * enforcing, which plain AES-GCM with 96-bit random nonces would (2^32 messages for 2^-33). Format:
 * {@code version(1) | keyId(4) | nonce(24) |
 * ciphertext+tag}; values of format 1 ({@code nonce(12)}, plain AES-256-GCM, written by earlier builds) still
 * decrypt. Every ciphertext is bound to its associated data (the session and the attribute, or the job), so a
 * value copied elsewhere fails to decrypt.
 *
 * <p>Not API: the stores of this library (sessions, jobs) use it; users configure a {@link KeyRing}.
 * Thread-safe; the key material never appears in {@link #toString()} or a message.
 */
public final class SessionCipher {

    static final byte FORMAT = 2;
    /** Plain AES-256-GCM with a 12-byte nonce: read, never written. */
    static final byte FORMAT_GCM = 1;
    private static final int KEY_ID_BYTES = 4;
    private static final int NONCE_BYTES = 24;
    private static final int GCM_NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    /** How many messages one thread seals under one derived key (one first half of the nonce); see the class comment. */
    static final int MESSAGES_PER_DERIVED_KEY = 64;
    /** How many derived keys a thread keeps for opening: a session's values come from a few saves (a few first halves). */
    static final int OPENING_KEYS = 4;
    /*
     * Per thread, because both are costly to obtain and lock when shared: a Cipher lookup costs more than the
     * encryption of a small value, and a SecureRandom draw costs nearly as much again. Each derived key a thread
     * keeps has a Cipher of its own: a Cipher computes its AES key schedule again whenever its key differs from the
     * previous call's.
     */
    private static final ThreadLocal<Cipher> FORMAT_GCM_CIPHER = ThreadLocal.withInitial(() -> newCipher("AES/GCM/NoPadding"));
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(SecureRandom::new);

    private final XaesKey primary; // made once: each SessionEncryptionKey.secretKey() copies the key
    private final int primaryId;
    private final Map<Integer, XaesKey> byId;

    private SessionCipher(KeyRing ring) {
        this.primary = new XaesKey(ring.primary().secretKey());
        this.primaryId = keyId(ring.primary());
        Map<Integer, XaesKey> keys = new LinkedHashMap<>();
        keys.put(primaryId, this.primary);
        for (SessionEncryptionKey key : ring.previous()) {
            keys.computeIfAbsent(keyId(key), id -> new XaesKey(key.secretKey()));
        }
        this.byId = keys;
    }

    /** The cipher of {@code ring}'s keys; make one per store, it derives per-key state once. */
    public static SessionCipher of(KeyRing ring) {
        return new SessionCipher(ring);
    }

    /** Encrypts under the primary key. */
    public byte[] encrypt(byte[] associatedData, byte[] plaintext) {
        int header = 1 + KEY_ID_BYTES + NONCE_BYTES;
        byte[] out = new byte[header + plaintext.length + TAG_BITS / 8];
        byte[] nonce = new byte[NONCE_BYTES];
        try {
            Cipher cipher = primary.sealer(nonce);
            ByteBuffer.wrap(out).put(FORMAT).putInt(primaryId).put(nonce);
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
     * @throws SessionDataException reason {@link Unreadable#UNKNOWN_KEY}, {@link Unreadable#TAMPERED} or {@link Unreadable#FORMAT}
     */
    public byte[] decrypt(byte[] associatedData, byte[] ciphertext) {
        boolean xaes = ciphertext.length > 0 && ciphertext[0] == FORMAT;
        int nonceBytes = xaes ? NONCE_BYTES : GCM_NONCE_BYTES;
        if (ciphertext.length < 1 + KEY_ID_BYTES + nonceBytes + TAG_BITS / 8 || (!xaes && ciphertext[0] != FORMAT_GCM)) {
            throw new SessionDataException(Unreadable.FORMAT, null);
        }
        ByteBuffer in = ByteBuffer.wrap(ciphertext);
        in.get();
        int keyId = in.getInt();
        XaesKey key = byId.get(keyId);
        if (key == null) {
            throw new SessionDataException(Unreadable.UNKNOWN_KEY, keyIdText(keyId));
        }
        int nonceAt = 1 + KEY_ID_BYTES;
        try {
            Cipher cipher;
            if (xaes) {
                cipher = key.opener(ciphertext, nonceAt);
            } else {
                cipher = FORMAT_GCM_CIPHER.get();
                cipher.init(Cipher.DECRYPT_MODE, key.key, new GCMParameterSpec(TAG_BITS, ciphertext, nonceAt, GCM_NONCE_BYTES));
            }
            cipher.updateAAD(associatedData);
            int offset = nonceAt + nonceBytes;
            return cipher.doFinal(ciphertext, offset, ciphertext.length - offset);
        } catch (AEADBadTagException e) {
            throw new SessionDataException(Unreadable.TAMPERED, keyIdText(keyId));
        } catch (GeneralSecurityException e) {
            throw new SessionDataException(Unreadable.FORMAT, keyIdText(keyId));
        }
    }

    /** Whether this ciphertext was made with a key other than the primary one (it should be rewritten). */
    public boolean isStale(byte[] ciphertext) {
        return ciphertext.length >= 1 + KEY_ID_BYTES && ByteBuffer.wrap(ciphertext, 1, KEY_ID_BYTES).getInt() != primaryId;
    }

    /** XAES-256-GCM of {@code plaintext} (ciphertext and tag), for the specification's test vectors. */
    static byte[] xaes256Gcm(byte[] key, byte[] nonce, byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
        SecretKey derived = new XaesKey(new SecretKeySpec(key, "AES")).derive(nonce, 0);
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
     * (computed once), and per thread an AES block cipher under it and the derived keys in use.
     */
    private static final class XaesKey {
        final SecretKey key;
        private final byte[] k1;
        private final ThreadLocal<Derivations> perThread;

        XaesKey(SecretKey key) {
            this.key = key;
            this.perThread = ThreadLocal.withInitial(() -> {
                Cipher aes = newCipher("AES/ECB/NoPadding");
                try {
                    aes.init(Cipher.ENCRYPT_MODE, key);
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("AES-256 is not available in this JVM: " + e.getClass().getSimpleName(), e);
                }
                return new Derivations(aes);
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

        /**
         * Fills {@code nonce} for a new message of this thread and returns the thread's GCM cipher, set up to seal
         * it: the first half of the nonce is the thread's current one, drawn again (and its key derived again) every
         * {@value #MESSAGES_PER_DERIVED_KEY} messages; the second half, the GCM nonce, is drawn for this message.
         */
        Cipher sealer(byte[] nonce) throws GeneralSecurityException {
            Derivations mine = perThread.get();
            SecureRandom random = RANDOM.get();
            DerivedKey sealing = mine.sealing;
            if (mine.sealed == 0) {
                byte[] first = new byte[GCM_NONCE_BYTES];
                random.nextBytes(first);
                sealing.derivedFrom(derive(first, 0), first, 0);
            }
            mine.sealed = (mine.sealed + 1) % MESSAGES_PER_DERIVED_KEY;
            System.arraycopy(sealing.half, 0, nonce, 0, GCM_NONCE_BYTES);
            byte[] second = new byte[GCM_NONCE_BYTES];
            random.nextBytes(second);
            System.arraycopy(second, 0, nonce, GCM_NONCE_BYTES, GCM_NONCE_BYTES);
            return sealing.init(Cipher.ENCRYPT_MODE, nonce, GCM_NONCE_BYTES);
        }

        /**
         * A GCM cipher set up to open the message whose 24-byte nonce starts at {@code nonceAt} of {@code sealed}:
         * one of the thread's last {@value #OPENING_KEYS} derived keys when its first half matches, else a new one.
         */
        Cipher opener(byte[] sealed, int nonceAt) throws GeneralSecurityException {
            Derivations mine = perThread.get();
            for (DerivedKey kept : mine.opening) {
                if (kept.isFor(sealed, nonceAt)) {
                    return kept.init(Cipher.DECRYPT_MODE, sealed, nonceAt + GCM_NONCE_BYTES);
                }
            }
            DerivedKey replaced = mine.opening[mine.nextOpening];
            mine.nextOpening = (mine.nextOpening + 1) % OPENING_KEYS;
            replaced.derivedFrom(derive(sealed, nonceAt), sealed, nonceAt);
            return replaced.init(Cipher.DECRYPT_MODE, sealed, nonceAt + GCM_NONCE_BYTES);
        }

        /**
         * The message key for the nonce at {@code from} of {@code nonce}: AES_K(M1 xor K1) || AES_K(M2 xor K1),
         * Mi = 0x00 i "X" 0x00 and the nonce's first 12 bytes (both blocks in one call).
         */
        SecretKey derive(byte[] nonce, int from) {
            byte[] m = new byte[32];
            for (int i = 0; i < 2; i++) {
                int at = 16 * i;
                m[at + 1] = (byte) (i + 1);
                m[at + 2] = 'X';
                System.arraycopy(nonce, from, m, at + 4, 12);
                for (int j = 0; j < 16; j++) {
                    m[at + j] ^= k1[j];
                }
            }
            return new SecretKeySpec(encryptBlock(m), "AES");
        }

        private byte[] encryptBlock(byte[] in) {
            try {
                return perThread.get().block.doFinal(in);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-256 is not available in this JVM: " + e.getClass().getSimpleName(), e);
            }
        }

        @Override
        public String toString() {
            return "XaesKey[value hidden]";
        }
    }

    /** One thread's state for one key of the ring: its block cipher, its sealing key and its last opening keys. */
    private static final class Derivations {
        final Cipher block;
        final DerivedKey sealing = new DerivedKey();
        /** Messages sealed under {@link #sealing}'s key, modulo {@value #MESSAGES_PER_DERIVED_KEY}: 0 asks for a new key. */
        int sealed;
        final DerivedKey[] opening = new DerivedKey[OPENING_KEYS];
        int nextOpening;

        Derivations(Cipher block) {
            this.block = block;
            for (int i = 0; i < OPENING_KEYS; i++) {
                opening[i] = new DerivedKey();
            }
        }

        @Override
        public String toString() {
            return "Derivations[value hidden]";
        }
    }

    /** A derived key, the first half of the nonce it was derived from, and a GCM cipher that keeps its key schedule. */
    private static final class DerivedKey {
        final byte[] half = new byte[GCM_NONCE_BYTES];
        final Cipher gcm = newCipher("AES/GCM/NoPadding");
        @Nullable SecretKey key;

        boolean isFor(byte[] nonce, int from) {
            return key != null && Arrays.equals(half, 0, GCM_NONCE_BYTES, nonce, from, from + GCM_NONCE_BYTES);
        }

        void derivedFrom(SecretKey derived, byte[] nonce, int from) {
            System.arraycopy(nonce, from, half, 0, GCM_NONCE_BYTES);
            key = derived;
        }

        /** {@link #gcm} set up for {@code mode} under this key, with the 12-byte GCM nonce at {@code gcmNonceAt}. */
        Cipher init(int mode, byte[] in, int gcmNonceAt) throws GeneralSecurityException {
            gcm.init(mode, Objects.requireNonNull(key, "key"), new GCMParameterSpec(TAG_BITS, in, gcmNonceAt, GCM_NONCE_BYTES));
            return gcm;
        }

        @Override
        public String toString() {
            return "DerivedKey[value hidden]";
        }
    }

    /** The id of the key that sealed {@code sealed}, in hex, or {@code none} when it is too short to name one. */
    public static String keyId(byte[] sealed) {
        return sealed.length < 1 + KEY_ID_BYTES ? "none" : keyIdText(ByteBuffer.wrap(sealed, 1, KEY_ID_BYTES).getInt());
    }

    private static String keyIdText(int id) {
        return String.format("%08x", id);
    }

    private static int keyId(SessionEncryptionKey key) {
        return Integer.parseUnsignedInt(key.id(), 16);
    }

    @Override
    public String toString() {
        return "SessionCipher[primary " + keyIdText(primaryId) + ", " + (byId.size() - 1) + " previous]";
    }
}
