package io.reporadar.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reporadar.session.SessionObserver.Unreadable;
import io.reporadar.session.internal.SessionCipher;
import io.reporadar.session.internal.SessionDataException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class SessionCryptoTest {

    private static final String SECRET = "a-session-secret-of-at-least-32-characters";
    private static final String OLD_SECRET = "the-previous-secret-of-at-least-32-chars";
    private static final byte[] AAD = "session-key\0field".getBytes(StandardCharsets.US_ASCII);

    private static KeyRing ring(String hex) {
        return KeyRing.of(SessionEncryptionKey.fromHex("k", hex), List.of());
    }

    private static SessionCipher cipher(String hex) {
        return SessionCipher.of(ring(hex));
    }

    @Test
    void ciphertextsAreBoundToTheirAssociatedData() {
        SessionCipher keys = cipher(RedisSessionStoreIT.KEY_1);
        byte[] sealed = keys.encrypt(AAD, "hello".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(keys.decrypt(AAD, sealed), StandardCharsets.UTF_8)).isEqualTo("hello");

        assertThatThrownBy(() -> keys.decrypt("other-session\0field".getBytes(StandardCharsets.US_ASCII), sealed))
                .isInstanceOfSatisfying(SessionDataException.class, e -> assertThat(e.reason()).isEqualTo(Unreadable.TAMPERED))
                .hasMessage("session data unreadable: tampered (key " + ring(RedisSessionStoreIT.KEY_1).primaryKeyId() + ")");
    }

    @Test
    void anUnknownKeyIsNamedByItsIdNeverItsValue() {
        byte[] sealed = cipher(RedisSessionStoreIT.KEY_1).encrypt(AAD, new byte[] {1});
        assertThatThrownBy(() -> cipher(RedisSessionStoreIT.KEY_2).decrypt(AAD, sealed))
                .isInstanceOfSatisfying(SessionDataException.class, e -> assertThat(e.reason()).isEqualTo(Unreadable.UNKNOWN_KEY))
                .message().doesNotContain("0011223344").doesNotContain("ffeeddcc");
    }

    @Test
    void theRingReadsWithPreviousKeysAndFlagsTheirDataAsStale() {
        byte[] old = cipher(RedisSessionStoreIT.KEY_1).encrypt(AAD, new byte[] {7});
        KeyRing rotatedRing = KeyRing.of(SessionEncryptionKey.fromHex("k", RedisSessionStoreIT.KEY_2),
                List.of(SessionEncryptionKey.fromHex("k", RedisSessionStoreIT.KEY_1)));
        SessionCipher rotated = SessionCipher.of(rotatedRing);
        assertThat(rotated.decrypt(AAD, old)).containsExactly(7);
        assertThat(rotated.isStale(old)).isTrue();
        assertThat(rotated.isStale(rotated.encrypt(AAD, new byte[] {7}))).isFalse();
        assertThat(rotatedRing.toString()).doesNotContain("ffeedd").startsWith("KeyRing[primary ");
        assertThat(rotated.toString()).doesNotContain("ffeedd").startsWith("SessionCipher[primary ");
    }

    @Test
    void keysFromTheEnvironmentNameTheVariableThatIsWrong() {
        assertThatThrownBy(() -> KeyRing.fromEnvironment(Map.of("SESSION_ENCRYPTION_KEY", RedisSessionStoreIT.KEY_1,
                "SESSION_ENCRYPTION_KEY_PREVIOUS", RedisSessionStoreIT.KEY_2 + ",abc")))
                .hasMessage("SESSION_ENCRYPTION_KEY_PREVIOUS[1]: 3 characters (expected: 64 hex digits)");
    }

    @Test
    void cookiesAreSignedAndVerifiedAgainstCurrentAndPreviousSecrets() {
        SessionSecrets old = SessionSecrets.of(OLD_SECRET, List.of(), SessionSecrets.CookieFormat.REPORADAR);
        SessionSecrets rotated = SessionSecrets.of(SECRET, List.of(OLD_SECRET), SessionSecrets.CookieFormat.REPORADAR);
        String id = SessionSecrets.newSessionId();

        assertThat(id).hasSize(43);
        assertThat(rotated.verify(rotated.sign(id))).hasValue(id);
        assertThat(rotated.verify(old.sign(id))).as("signed with the previous secret").hasValue(id);
        assertThat(old.verify(rotated.sign(id))).isEmpty();
        assertThat(rotated.verify(id + ".AAAA")).isEmpty();
        assertThat(rotated.verify("garbage")).isEmpty();
        assertThat(rotated.toString()).doesNotContain(SECRET).doesNotContain(OLD_SECRET);
    }

    @Test
    void theExpressFormatMatchesCookieSignature() throws Exception {
        SessionSecrets express = SessionSecrets.of(SECRET, List.of(), SessionSecrets.CookieFormat.EXPRESS);
        String id = "Xy3kq0B8f6-uUu_ZcK9aW2rT5mN1pQ4s";
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = "s:" + id + "." + Base64.getEncoder().encodeToString(mac.doFinal(id.getBytes(StandardCharsets.US_ASCII)))
                .replaceAll("=+$", "");

        assertThat(express.sign(id)).isEqualTo(expected);
        assertThat(express.verify(expected)).hasValue(id);
        assertThat(express.verify(expected.replace("s:", "s%3A"))).as("as the cookie library encodes it").hasValue(id);
        assertThat(express.verify(id)).as("an unsigned value").isEmpty();
    }

    @Test
    void badSecretsNameTheVariableButNeverEchoTheSecret() {
        assertThatThrownBy(() -> SessionSecrets.fromEnvironment(Map.of("SESSION_SECRET", "short-secret")))
                .hasMessage("SESSION_SECRET: 12 characters (expected: at least 32)")
                .message().doesNotContain("short-secret");
        assertThatThrownBy(() -> SessionSecrets.fromEnvironment(Map.of()))
                .hasMessage("SESSION_SECRET: missing (expected: at least 32 characters; generate one with: openssl rand -base64 48)");
        assertThatThrownBy(() -> SessionSecrets.fromEnvironment(Map.of("SESSION_SECRET", SECRET, "SESSION_COOKIE_FORMAT", "php")))
                .hasMessage("SESSION_COOKIE_FORMAT: php (expected: reporadar or express)");
    }

    record Watch(String repo, int stars) {
    }

    @Test
    void theCodecOnlyReadsAndWritesAllowedTypes() {
        SessionCodec codec = SessionCodec.allowing(Watch.class);
        byte[] bytes = codec.encode("watch", new Watch("reporadar/scale-kit", 42));
        assertThat(codec.decode(bytes, 0)).isEqualTo(new Watch("reporadar/scale-kit", 42));

        assertThatThrownBy(() -> codec.encode("when", java.time.LocalDate.of(2026, 1, 1)))
                .hasMessageStartingWith("session attribute when: type java.time.LocalDate (expected: one of the allowed types");
        byte[] foreign = SessionCodec.allowing(Watch.class).encode("watch", new Watch("x/y", 1));
        assertThatThrownBy(() -> SessionCodec.allowing().decode(foreign, 0))
                .isInstanceOfSatisfying(SessionDataException.class, e -> assertThat(e.reason()).isEqualTo(Unreadable.TYPE));
    }


    @Test
    void builtInValuesAreWrittenAsJacksonWritesThemAndReadBackWhateverPathReadsThem() throws Exception {
        SessionCodec codec = SessionCodec.allowing();
        com.fasterxml.jackson.databind.ObjectMapper jackson = new com.fasterxml.jackson.databind.ObjectMapper();
        List<Object> values = List.of("", "ada", "x".repeat(300), "quote \" and \\ backslash", "tab\tnewline\n", "déjà vu", "emoji \uD83D\uDE80",
                "\u007f", 0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, 999_999_999_999_999_999L, 1_000_000_000_000_000_000L,
                0, 42, -42, Integer.MAX_VALUE, Integer.MIN_VALUE, true, false, 1.5d);
        for (Object value : values) {
            byte[] encoded = codec.encode("a", value);
            byte[] name = value.getClass().getName().getBytes(StandardCharsets.UTF_8);
            byte[] json = java.util.Arrays.copyOfRange(encoded, 2 + name.length, encoded.length);
            assertThat(json).as("JSON of %s", value).isEqualTo(jackson.writeValueAsBytes(value));
            assertThat(codec.decode(encoded, 0)).as("read back").isEqualTo(value);
        }
    }
    @Test
    void everyCiphertextHasItsOwnNonceAcrossThreads() throws Exception {
        SessionCipher keys = cipher(RedisSessionStoreIT.KEY_1);
        java.util.Set<String> nonces = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
            done.add(pool.submit(() -> {
                for (int i = 0; i < 5_000; i++) {
                    byte[] ciphertext = keys.encrypt(AAD, "same value".getBytes(StandardCharsets.UTF_8));
                    nonces.add(Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(ciphertext, 5, 29))); // all 24 bytes
                    assertThat(keys.decrypt(AAD, ciphertext)).asString(StandardCharsets.UTF_8).isEqualTo("same value");
                }
            }));
        }
        for (java.util.concurrent.Future<?> future : done) {
            future.get(); // rethrows a failed assertion
        }
        pool.shutdown();
        assertThat(nonces).hasSize(20_000);
    }
}
