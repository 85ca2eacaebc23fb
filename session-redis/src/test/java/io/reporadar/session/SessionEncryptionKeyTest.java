package io.reporadar.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SessionEncryptionKeyTest {

    private static final String KEY = "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF";

    @Test
    void acceptsSixtyFourHexDigitsInEitherCase() {
        SessionEncryptionKey key = SessionEncryptionKey.fromHex("SESSION_ENCRYPTION_KEY", "  " + KEY + "\n");
        assertThat(key.secretKey().getEncoded()).hasSize(32).startsWith((byte) 0x00, (byte) 0x11);
        assertThat(key.secretKey().getAlgorithm()).isEqualTo("AES");
    }

    @Test
    void neverShowsTheKeyInToString() {
        SessionEncryptionKey key = SessionEncryptionKey.fromHex("SESSION_ENCRYPTION_KEY", KEY);
        assertThat(key.toString()).doesNotContainIgnoringCase("00112233").isEqualTo("SessionEncryptionKey[AES-256, value hidden]");
    }

    @Test
    void aWrongLengthNamesTheVariableAndTheLengthButNotTheValue() {
        String almost = KEY.substring(1);
        assertThatThrownBy(() -> SessionEncryptionKey.fromHex("SESSION_ENCRYPTION_KEY", almost))
                .hasMessage("SESSION_ENCRYPTION_KEY: 63 characters (expected: 64 hex digits)");
    }

    @Test
    void aNonHexCharacterIsReportedByPositionOnly() {
        String bad = KEY.substring(0, 9) + "g" + KEY.substring(10);
        assertThatThrownBy(() -> SessionEncryptionKey.fromHex("SESSION_ENCRYPTION_KEY", bad))
                .hasMessage("SESSION_ENCRYPTION_KEY: non-hex character at position 10 (expected: 64 hex digits)")
                .message().doesNotContain("8899");
    }

    @Test
    void aMissingKeySaysHowToGenerateOne() {
        assertThatThrownBy(() -> SessionEncryptionKey.fromHex("SESSION_ENCRYPTION_KEY", ""))
                .hasMessage("SESSION_ENCRYPTION_KEY: missing (expected: 64 hex digits; generate one with: openssl rand -hex 32)");
    }
}
