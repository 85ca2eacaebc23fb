package io.reporadar.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.testing.ReadmeExamples;
import java.nio.file.Path;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.Test;

class ReadmeExampleTest {

    private static final String DEMO_KEY = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    @Test
    void theReadmeShowsTheExampleBelowAndItHolds() {
        ReadmeExamples.assertReadmeShows(Path.of("README.md"), Path.of("src/test/java/io/reporadar/session/ReadmeExampleTest.java"));

        // README example begins
        SessionEncryptionKey key = SessionEncryptionKey.fromHex("SESSION_ENCRYPTION_KEY",
                System.getenv().getOrDefault("SESSION_ENCRYPTION_KEY", DEMO_KEY));
        SecretKey aes = key.secretKey();   // AES-256; toString() never shows the key
        // README example ends

        assertThat(aes.getEncoded()).hasSize(32);
    }
}
