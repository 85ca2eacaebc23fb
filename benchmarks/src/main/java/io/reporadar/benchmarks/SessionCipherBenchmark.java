package io.reporadar.benchmarks;

import io.reporadar.session.KeyRing;
import io.reporadar.session.SessionEncryptionKey;
import io.reporadar.session.internal.SessionCipher;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of a session value's encryption: XAES-256-GCM ({@link SessionCipher} of a {@link KeyRing}: a message key
 * derived from the first half of a 192-bit random nonce, which a thread keeps for 64 values) against its peer, plain
 * AES-256-GCM with a 96-bit random nonce from a per-thread {@link SecureRandom} (what a store without a nonce budget
 * would do), on one value of the size a session attribute has. Decryption twice: values sealed one after the other by
 * one thread (64 share a derived key, as the values of one save do), and values each sealed by another save (each its
 * own derived key: two AES blocks and a key schedule more per value, as a session's last-access time is).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@SuppressWarnings("NullAway.Init") // JMH sets the @Param fields and runs @Setup before any benchmark method
public class SessionCipherBenchmark {

    private static final String KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    @Param({"64", "1024"})
    public int bytes;

    private SessionCipher ring;
    private SecretKey key;
    private Cipher gcm;
    private final SecureRandom random = new SecureRandom();
    private byte[] plaintext;
    private final byte[][] sealed = new byte[1024][];
    private final byte[][] sealedApart = new byte[1024][];
    private int next;
    private final byte[] aad = "reporadar:session:key|fAttribute".getBytes(StandardCharsets.US_ASCII);

    @Setup
    public void setUp() throws GeneralSecurityException {
        ring = SessionCipher.of(KeyRing.of(SessionEncryptionKey.fromHex("SESSION_ENCRYPTION_KEY", KEY), List.of()));
        key = new SecretKeySpec(HexFormat.of().parseHex(KEY), "AES");
        gcm = Cipher.getInstance("AES/GCM/NoPadding");
        plaintext = new byte[bytes];
        random.nextBytes(plaintext);
        KeyRing keys = KeyRing.of(SessionEncryptionKey.fromHex("SESSION_ENCRYPTION_KEY", KEY), List.of());
        for (int i = 0; i < sealed.length; i++) {
            sealed[i] = ring.encrypt(aad, plaintext);
            sealedApart[i] = SessionCipher.of(keys).encrypt(aad, plaintext); // a cipher of its own: a first half of its own
        }
    }

    @Benchmark
    public byte[] encryptXaes256Gcm() {
        return ring.encrypt(aad, plaintext);
    }

    @Benchmark
    public byte[] decryptXaes256Gcm() {
        return ring.decrypt(aad, sealed[next++ & (sealed.length - 1)]);
    }

    @Benchmark
    public byte[] decryptXaes256GcmEachFromAnotherSave() {
        return ring.decrypt(aad, sealedApart[next++ & (sealedApart.length - 1)]);
    }

    @Benchmark
    public byte[] encryptPeerAes256GcmRandomNonce() throws GeneralSecurityException {
        byte[] nonce = new byte[12];
        random.nextBytes(nonce);
        gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
        gcm.updateAAD(aad);
        return gcm.doFinal(plaintext);
    }
}
