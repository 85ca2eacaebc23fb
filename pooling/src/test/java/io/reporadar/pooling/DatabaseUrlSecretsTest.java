package io.reporadar.pooling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** No error message quotes the authority or a secret parameter, and no display path shows a secret. */
class DatabaseUrlSecretsTest {

    /**
     * Malformed URLs with a secret in them, the part the message must name, and the secret text it must not
     * contain: each of these messages quoted the secret before.
     */
    static Stream<Arguments> malformedUrlsWithSecrets() {
        return Stream.of(
                // No host: user:password reads as host:port.
                leak("postgresql://u:hunter2/db", "the port is not a number", "hunter2"),
                leak("postgresql://u:hunter2,db2/x", "the port is not a number", "hunter2"),
                leak("postgresql://u:123456/db", "the port is out of range", "123456"),
                leak("postgresql://app@db:hunter2/x", "the port is not a number", "hunter2"),
                leak("postgresql://u;hunter2/db", "the host name is not valid", "hunter2"),
                leak("postgresql://[hunter2]/db", "the host in brackets is not an IPv6 address", "hunter2"),
                // The scheme forgotten: the text before a later "://" is the user info.
                leak("app:hunter2@db/x?sslrootcert=file:///ca.pem", "no valid scheme", "hunter2"),
                // An unencoded '&' in a secret parameter: the rest of it reads as the next parameter.
                leak("postgresql://h/x?password=hun&ter2", "a parameter without '=' right after the password", "ter2"),
                leak("postgresql://h/x?sslpassword=keyp&hr4se", "a parameter without '=' right after the sslpassword", "hr4se"),
                leak("postgresql://h/x?sslpassword=s3cr&xyzzy=1", "an unsupported parameter right after the sslpassword", "xyzzy"),
                leak("postgresql://h/x?password=a&sslmode=hunter2", "an invalid sslmode right after the password", "hunter2"),
                leak("postgresql://h/x?sslpassword=a&connect_timeout=hunter2", "an invalid connect_timeout right after the sslpassword",
                        "hunter2"),
                // A forgotten '='.
                leak("postgresql://h/x?sslpassword:hunter2", "a parameter without '='", "hunter2"),
                leak("postgresql://h/x?passwordhunter2", "a parameter without '='", "hunter2"));
    }

    /** URLs with secrets in every place they can be, and the secret texts. */
    static Stream<Arguments> urlsWithSecrets() {
        return Stream.of(
                Arguments.of("postgresql://app:hunter2@db/reporadar?sslpassword=keypass&application_name=api", new String[] {"hunter2", "keypass"}),
                Arguments.of("postgresql://db/reporadar?user=app&password=hunter2&sslpassword=keypass", new String[] {"hunter2", "keypass"}),
                Arguments.of("postgresql://db/reporadar?password=hunter2", new String[] {"hunter2"}),
                Arguments.of("postgresql://db/reporadar?sslpassword=k%26ey%20pass&sslkey=/etc/client.key", new String[] {"k&ey pass", "k%26ey"}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedUrlsWithSecrets")
    void errorsNameThePartAndTheVariableButNeverQuoteTheSecret(String libpq, String part, String secret) {
        assertThatThrownBy(() -> DatabaseUrl.parse(libpq))
                .isInstanceOf(IllegalArgumentException.class)
                .message().startsWith("DATABASE_URL: ").contains(part).doesNotContain(secret);
    }

    @Test
    void aPasswordWithoutAHostIsReportedAsAPortWithAHint() {
        assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://u:hunter2/db"))
                .hasMessage("DATABASE_URL: the port is not a number at position 16"
                        + " (expected: 1..65535; a password goes before the host, as in user:password@host)");
    }

    @Test
    void aBadUrlInTheEnvironmentIsReportedWithoutItsPassword() {
        assertThatThrownBy(() -> PoolSettings.fromEnvironment(Map.of("DATABASE_URL", "postgresql://app:hunter2/reporadar")))
                .hasMessageStartingWith("invalid pool configuration: DATABASE_URL: the port is not a number at position 18")
                .message().doesNotContain("hunter2");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("urlsWithSecrets")
    void parametersAndToStringMaskEverySecret(String libpq, String[] secrets) {
        DatabaseUrl url = DatabaseUrl.parse(libpq);

        for (String secret : secrets) {
            assertThat(url.toString()).doesNotContain(secret);
            assertThat(url.parameters().toString()).doesNotContain(secret);
            assertThat(url.parameters().values()).noneMatch(value -> value.contains(secret));
            assertThat(url.jdbcUrl()).doesNotContain(secret);
        }
        assertThat(url.parameters()).doesNotContainKeys("password", "user");
    }

    @Test
    void parametersShowTheSslPasswordMasked() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://app:hunter2@db/reporadar?sslpassword=keypass&application_name=api");

        assertThat(url.parameters()).containsEntry("sslpassword", "****").containsEntry("ApplicationName", "api");
        assertThat(url).hasToString("postgresql://app:****@db:5432/reporadar?sslpassword=****&application_name=api");
    }

    @Test
    void aPasswordGivenAsAParameterWithoutAUserIsMaskedAndSurvivesTheRoundTrip() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://db/reporadar?password=hunter2");

        assertThat(url).hasToString("postgresql://:****@db:5432/reporadar");
        assertThat(DatabaseUrl.parse(url.toString()).hasPassword()).isTrue();
    }

    @Test
    void thePropertiesForTheDriverCarryTheSecretsInClearButDoNotPrintThem() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://app:hunter2@db/reporadar?sslpassword=keypass&sslmode=verify-full");

        Properties properties = url.propertiesWithSecrets();

        assertThat(properties.getProperty("user")).isEqualTo("app");
        assertThat(properties.getProperty("password")).isEqualTo("hunter2");
        assertThat(properties.getProperty("sslpassword")).isEqualTo("keypass");
        assertThat(properties).hasToString("{password=****, sslmode=verify-full, sslpassword=****, user=app}");
    }

    private static Arguments leak(String libpq, String part, String secret) {
        return Arguments.of(libpq, part, secret);
    }
}
