package io.reporadar.session.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reporadar.session.KeyRing;
import io.reporadar.session.SessionEncryptionKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The session values' encryption: XAES-256-GCM as C2SP specifies it, and the values of earlier builds. */
class XaesTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final String KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    @Test
    void theSpecificationsTestVectors() throws Exception {
        byte[] nonce = "ABCDEFGHIJKLMNOPQRSTUVWX".getBytes(StandardCharsets.US_ASCII);
        byte[] plaintext = "XAES-256-GCM".getBytes(StandardCharsets.US_ASCII);
        assertThat(HEX.formatHex(SessionCipher.xaes256Gcm(HEX.parseHex("01".repeat(32)), nonce, plaintext, new byte[0])))
                .isEqualTo("ce546ef63c9cc60765923609" + "b33a9a1974e96e52daf2fcf7075e2271");
        assertThat(HEX.formatHex(SessionCipher.xaes256Gcm(HEX.parseHex("03".repeat(32)), nonce, plaintext,
                "c2sp.org/XAES-256-GCM".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("986ec1832593df5443a17943" + "7fd083bf3fdb41abd740a21f71eb769d");
    }

    @Test
    void everyValueHasANonceOfItsOwnAndAValueOfAnEarlierBuildStillDecrypts() throws Exception {
        KeyRing keys = KeyRing.of(SessionEncryptionKey.fromHex("k", KEY), List.of());
        SessionCipher ring = SessionCipher.of(keys);
        byte[] aad = "session|field".getBytes(StandardCharsets.US_ASCII);
        Set<String> nonces = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            byte[] sealed = ring.encrypt(aad, new byte[] {1, 2, 3});
            assertThat(sealed[0]).isEqualTo(SessionCipher.FORMAT);
            assertThat(sealed).hasSize(1 + 4 + 24 + 3 + 16);
            nonces.add(HEX.formatHex(sealed, 5, 29));
            assertThat(ring.decrypt(aad, sealed)).containsExactly(1, 2, 3);
        }
        assertThat(nonces).hasSize(1000);

        // Format 1: plain AES-256-GCM with a 12-byte nonce, as builds before XAES wrote it.
        byte[] gcmNonce = HEX.parseHex("000102030405060708090a0b");
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(HEX.parseHex(KEY), "AES"), new GCMParameterSpec(128, gcmNonce));
        gcm.updateAAD(aad);
        byte[] body = gcm.doFinal(new byte[] {9, 8, 7});
        byte[] old = ByteBuffer.allocate(1 + 4 + 12 + body.length).put(SessionCipher.FORMAT_GCM)
                .putInt(Integer.parseUnsignedInt(keys.primaryKeyId(), 16)).put(gcmNonce).put(body).array();
        assertThat(ring.decrypt(aad, old)).containsExactly(9, 8, 7);
    }

    @Test
    void aThreadSealsABatchOfMessagesUnderOneDerivedKeyEachWithAFreshGcmNonce() throws Exception {
        SessionCipher ring = SessionCipher.of(KeyRing.of(SessionEncryptionKey.fromHex("k", KEY), List.of()));
        byte[] aad = "job|payload".getBytes(StandardCharsets.US_ASCII);
        int batches = SessionCipher.OPENING_KEYS + 2; // more first halves than a thread keeps keys for
        List<byte[]> sealed = new java.util.ArrayList<>();
        for (int i = 0; i < batches * SessionCipher.MESSAGES_PER_DERIVED_KEY; i++) {
            sealed.add(ring.encrypt(aad, new byte[] {(byte) i}));
        }
        Set<String> firstHalves = new HashSet<>();
        Set<String> secondHalves = new HashSet<>();
        for (byte[] value : sealed) {
            firstHalves.add(HEX.formatHex(value, 5, 17));
            secondHalves.add(HEX.formatHex(value, 17, 29));
        }
        // A first half (a derived key) per batch; within a batch GCM nonces drawn at random, none repeated.
        assertThat(firstHalves).hasSizeBetween(batches, batches + 1);
        assertThat(secondHalves).hasSize(sealed.size());

        // Opened on another thread, out of order, batches interleaved: each decrypts to its own value.
        Thread opener = new Thread(() -> {
            for (int i = sealed.size() - 1; i >= 0; i -= 7) {
                assertThat(ring.decrypt(aad, sealed.get(i))).containsExactly((byte) i);
                assertThat(ring.decrypt(aad, sealed.get(i / 2))).containsExactly((byte) (i / 2));
            }
        });
        java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
        opener.setUncaughtExceptionHandler((thread, e) -> failed.set(e));
        opener.start();
        opener.join();
        assertThat(failed.get()).isNull();
    }

    @Test
    void aNonceAlteredInEitherHalfFailsToDecryptWhateverKeyTheThreadHoldsDerived() {
        SessionCipher ring = SessionCipher.of(KeyRing.of(SessionEncryptionKey.fromHex("k", KEY), List.of()));
        byte[] aad = "session|field".getBytes(StandardCharsets.US_ASCII);
        byte[] first = ring.encrypt(aad, new byte[] {1});
        byte[] second = ring.encrypt(aad, new byte[] {2}); // same first half: the thread's derived key
        assertThat(ring.decrypt(aad, first)).containsExactly(1);
        for (int at : new int[] {5, 16, 17, 28}) {
            byte[] altered = second.clone();
            altered[at] ^= 1;
            assertThatThrownBy(() -> ring.decrypt(aad, altered)).isInstanceOf(SessionDataException.class)
                    .satisfies(e -> assertThat(((SessionDataException) e).reason()).isEqualTo(io.reporadar.session.SessionObserver.Unreadable.TAMPERED));
            assertThat(ring.decrypt(aad, second)).containsExactly(2);
        }
    }
}
