package io.reporadar.pooling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DatabaseUrlTest {

    /** libpq URL, the pgJDBC URL it becomes, and every property it carries (sorted). */
    static Stream<Arguments> validUrls() {
        return Stream.of(
                ok("postgresql://app:secret@db:5432/reporadar", "jdbc:postgresql://db:5432/reporadar", "{password=secret, user=app}"),
                ok("postgres://app:secret@db/reporadar", "jdbc:postgresql://db:5432/reporadar", "{password=secret, user=app}"),
                ok("POSTGRESQL://app@db/reporadar", "jdbc:postgresql://db:5432/reporadar", "{user=app}"),
                ok("postgresql://db/reporadar", "jdbc:postgresql://db:5432/reporadar", "{}"),
                ok("postgresql://app@db", "jdbc:postgresql://db:5432/app", "{user=app}"),
                ok("postgresql://app@db/", "jdbc:postgresql://db:5432/app", "{user=app}"),
                ok("postgresql://DB.Example.COM:6543/x", "jdbc:postgresql://db.example.com:6543/x", "{}"),
                ok("postgresql://a:1,b:2,c/x", "jdbc:postgresql://a:1,b:2,c:5432/x", "{}"),
                ok("postgresql://[::1]:5433/x", "jdbc:postgresql://[::1]:5433/x", "{}"),
                ok("postgresql://[2001:db8::7]/x", "jdbc:postgresql://[2001:db8::7]:5432/x", "{}"),
                ok("postgresql://[::1]:1,10.0.0.2:2/x", "jdbc:postgresql://[::1]:1,10.0.0.2:2/x", "{}"),
                ok("postgresql://u:p%40ss@h/x", "jdbc:postgresql://h:5432/x", "{password=p@ss, user=u}"),
                ok("postgresql://u:p@ss@h/x", "jdbc:postgresql://h:5432/x", "{password=p@ss, user=u}"),
                ok("postgresql://u:a+b@h/x", "jdbc:postgresql://h:5432/x", "{password=a+b, user=u}"),
                ok("postgresql://u:a%2Bb%20c@h/x", "jdbc:postgresql://h:5432/x", "{password=a+b c, user=u}"),
                ok("postgresql://u:a%2Fb%3Fc%23d@h/x", "jdbc:postgresql://h:5432/x", "{password=a/b?c#d, user=u}"),
                ok("postgresql://u:a:b:c@h/x", "jdbc:postgresql://h:5432/x", "{password=a:b:c, user=u}"),
                ok("postgresql://u:%3D%26%25@h/x", "jdbc:postgresql://h:5432/x", "{password==&%, user=u}"),
                ok("postgresql://u:p%C3%A4ss%E2%82%AC@h/x", "jdbc:postgresql://h:5432/x", "{password=päss€, user=u}"),
                ok("postgresql://u:pässwörd@h/x", "jdbc:postgresql://h:5432/x", "{password=pässwörd, user=u}"),
                ok("postgresql://u:@h/x", "jdbc:postgresql://h:5432/x", "{password=, user=u}"),
                ok("postgresql://us%40er:p@h/x", "jdbc:postgresql://h:5432/x", "{password=p, user=us@er}"),
                ok("postgresql://u@h/my%20db", "jdbc:postgresql://h:5432/my%20db", "{user=u}"),
                ok("postgresql://u@h/a+b", "jdbc:postgresql://h:5432/a%2Bb", "{user=u}"),
                ok("postgresql://u@h/d%C3%A9j%C3%A0", "jdbc:postgresql://h:5432/d%C3%A9j%C3%A0", "{user=u}"),
                ok("postgresql://h/x?sslmode=require", "jdbc:postgresql://h:5432/x", "{sslmode=require}"),
                ok("postgresql://h/x?sslmode=verify-full&sslrootcert=/etc/ca.pem", "jdbc:postgresql://h:5432/x",
                        "{sslmode=verify-full, sslrootcert=/etc/ca.pem}"),
                ok("postgresql://h/x?ssl=true", "jdbc:postgresql://h:5432/x", "{sslmode=require}"),
                ok("postgresql://h/x?sslmode=disable&ssl=true", "jdbc:postgresql://h:5432/x", "{sslmode=disable}"),
                ok("postgresql://h/x?target_session_attrs=read-write", "jdbc:postgresql://h:5432/x", "{targetServerType=primary}"),
                ok("postgresql://h/x?target_session_attrs=standby", "jdbc:postgresql://h:5432/x", "{targetServerType=secondary}"),
                ok("postgresql://h/x?target_session_attrs=prefer-standby", "jdbc:postgresql://h:5432/x", "{targetServerType=preferSecondary}"),
                ok("postgresql://h/x?target_session_attrs=any", "jdbc:postgresql://h:5432/x", "{targetServerType=any}"),
                ok("postgresql://h/x?application_name=reporadar%2F1", "jdbc:postgresql://h:5432/x", "{ApplicationName=reporadar/1}"),
                ok("postgresql://h/x?application_name=a+b", "jdbc:postgresql://h:5432/x", "{ApplicationName=a+b}"),
                ok("postgresql://h/x?connect_timeout=10", "jdbc:postgresql://h:5432/x", "{connectTimeout=10}"),
                ok("postgresql://h/x?load_balance_hosts=random", "jdbc:postgresql://h:5432/x", "{loadBalanceHosts=true}"),
                ok("postgresql://h/x?keepalives=1", "jdbc:postgresql://h:5432/x", "{tcpKeepAlive=true}"),
                ok("postgresql://h/x?options=-c%20statement_timeout%3D5s", "jdbc:postgresql://h:5432/x", "{options=-c statement_timeout=5s}"),
                ok("postgresql://h/x?user=q&password=w%26", "jdbc:postgresql://h:5432/x", "{password=w&, user=q}"),
                ok("postgresql://h?dbname=other", "jdbc:postgresql://h:5432/other", "{}"),
                // As providers write them (Neon and Supabase: channel_binding=require; libpq 17: sslnegotiation=direct).
                ok("postgresql://h/x?sslmode=require&channel_binding=require", "jdbc:postgresql://h:5432/x", "{channelBinding=require, sslmode=require}"),
                ok("postgresql://h/x?gssencmode=disable", "jdbc:postgresql://h:5432/x", "{gssEncMode=disable}"),
                ok("postgresql://h/x?sslmode=require&sslnegotiation=direct", "jdbc:postgresql://h:5432/x", "{sslNegotiation=direct, sslmode=require}"),
                ok("postgresql://h/x?&sslmode=prefer&", "jdbc:postgresql://h:5432/x", "{sslmode=prefer}"),
                ok("postgresql://app:secret@db:5432/reporadar?sslmode=require&application_name=api&connect_timeout=5",
                        "jdbc:postgresql://db:5432/reporadar", "{ApplicationName=api, connectTimeout=5, password=secret, sslmode=require, user=app}"));
    }

    /** Malformed URLs and the message each gets: a position and a reason, never the password. */
    static Stream<Arguments> invalidUrls() {
        return Stream.of(
                bad(null, "DATABASE_URL: missing (expected: postgresql://user:password@host:port/database)"),
                bad("  ", "DATABASE_URL: missing (expected: postgresql://user:password@host:port/database)"),
                bad("mysql://u:hunter2@h/x", "DATABASE_URL: scheme \"mysql\" at position 1 (expected: postgresql:// or postgres://)"),
                bad("jdbc:postgresql://h/x", "DATABASE_URL: scheme \"jdbc:postgresql\" at position 1 (expected: postgresql:// or postgres://)"),
                bad("h:5432/x", "DATABASE_URL: no scheme at position 1 (expected: postgresql:// or postgres://)"),
                bad("postgresql:///x", "DATABASE_URL: no host (a Unix-domain socket, which pgJDBC cannot use) at position 14 (expected: host[:port])"),
                bad("postgresql://u:hunter2@/x", "DATABASE_URL: no host (a Unix-domain socket, which pgJDBC cannot use) at position 14 (expected: host[:port])"),
                bad("postgresql://%2Fvar%2Frun/x", "DATABASE_URL: a Unix-domain socket path, which pgJDBC cannot use at position 14 (expected: a host name or address)"),
                bad("postgresql://h:0/x", "DATABASE_URL: the port is out of range at position 16 (expected: 1..65535)"),
                bad("postgresql://h:70000/x", "DATABASE_URL: the port is out of range at position 16 (expected: 1..65535)"),
                bad("postgresql://h:99999999999/x", "DATABASE_URL: the port is out of range at position 16 (expected: 1..65535)"),
                bad("postgresql://h:abc/x", "DATABASE_URL: the port is not a number at position 16"
                        + " (expected: 1..65535; a password goes before the host, as in user:password@host)"),
                bad("postgresql://u@h:abc/x", "DATABASE_URL: the port is not a number at position 18 (expected: 1..65535)"),
                bad("postgresql://h:/x", "DATABASE_URL: the port is empty at position 16 (expected: 1..65535 after the ':', or no ':')"),
                bad("postgresql://u:hunter2/db", "DATABASE_URL: the port is not a number at position 16"
                        + " (expected: 1..65535; a password goes before the host, as in user:password@host)"),
                bad("postgresql://a,,b/x", "DATABASE_URL: an empty host in the host list at position 16 (expected: host[:port],host[:port])"),
                bad("postgresql://[::1/x", "DATABASE_URL: an IPv6 address without its closing ']' at position 14 (expected: [address]:port)"),
                bad("postgresql://[zz]/x", "DATABASE_URL: the host in brackets is not an IPv6 address at position 15 (expected: [IPv6 address])"),
                bad("postgresql://u:hun%zzter2@h/x", "DATABASE_URL: invalid percent-encoding in the password at position 19 (expected: % followed by two hex digits)"),
                bad("postgresql://u:hunter2%@h/x", "DATABASE_URL: invalid percent-encoding in the password at position 23 (expected: % followed by two hex digits)"),
                bad("postgresql://u:hun/ter2@h/x", "DATABASE_URL: '/' before the '@' that ends the user and password at position 19"
                        + " (expected: '/', '?' and '@' inside the user or password percent-encoded as %2F, %3F and %40)"),
                bad("postgresql://u:hun?ter2@h/x", "DATABASE_URL: '?' before the '@' that ends the user and password at position 19"
                        + " (expected: '/', '?' and '@' inside the user or password percent-encoded as %2F, %3F and %40)"),
                bad("postgresql://u:hun#ter2@h/x", "DATABASE_URL: a fragment ('#') is not part of a libpq URI at position 19"
                        + " (expected: no '#'; percent-encode it as %23 inside a password)"),
                bad("postgresql://u:%FF%FE@h/x", "DATABASE_URL: the password is not valid UTF-8 once decoded at position 16 (expected: percent-encoded UTF-8)"),
                bad("postgresql://h", "DATABASE_URL: no database name at position 14 (expected: /database after the hosts)"),
                bad("postgresql://h/x?sslmode=maybe", "DATABASE_URL: sslmode \"maybe\" at position 26 (expected: disable, allow, prefer, require, verify-ca, verify-full)"),
                bad("postgresql://h/x?channel_binding=always", "DATABASE_URL: channel_binding \"always\" at position 34 (expected: disable, prefer, require)"),
                bad("postgresql://h/x?gssencmode=on", "DATABASE_URL: gssencmode \"on\" at position 29 (expected: disable, allow, prefer, require)"),
                bad("postgresql://h/x?sslnegotiation=tls", "DATABASE_URL: sslnegotiation \"tls\" at position 33 (expected: postgres, direct)"),
                bad("postgresql://h/x?service=prod", "DATABASE_URL: parameter \"service\" is not supported at position 18 (expected: a pg_service.conf"
                        + " entry, which this URL does not look up: give its hosts, port and dbname in the URL)"),
                bad("postgresql://h/x?passfile=%2Froot%2F.pgpass", "DATABASE_URL: parameter \"passfile\" is not supported at position 18 (expected:"
                        + " a password file, which pgJDBC reads only from PGPASSFILE (or ~/.pgpass): set that, or put the password in the URL)"),
                bad("postgresql://h/x?ssl=false", "DATABASE_URL: ssl \"false\" at position 22 (expected: true (meaning sslmode=require), or use sslmode)"),
                bad("postgresql://h/x?target_session_attrs=leader", "DATABASE_URL: target_session_attrs \"leader\" at position 39"
                        + " (expected: any, read-write, primary, read-only, standby or prefer-standby)"),
                bad("postgresql://h/x?connect_timeout=5s", "DATABASE_URL: connect_timeout \"5s\" at position 34 (expected: whole seconds)"),
                bad("postgresql://h/x?load_balance_hosts=yes", "DATABASE_URL: load_balance_hosts \"yes\" at position 37 (expected: random or disable)"),
                bad("postgresql://h/x?keepalives=on", "DATABASE_URL: keepalives \"on\" at position 29 (expected: 0 or 1)"),
                bad("postgresql://h/x?sslmode", "DATABASE_URL: parameter \"sslmode\" has no value at position 18 (expected: name=value)"),
                bad("postgresql://h/x?prepareThreshold=0", "DATABASE_URL: unsupported parameter \"prepareThreshold\" at position 18 (expected: one of sslmode,"
                        + " ssl, sslrootcert, sslcert, sslkey, sslpassword, sslnegotiation, channel_binding, gssencmode, target_session_attrs,"
                        + " application_name, connect_timeout, load_balance_hosts, keepalives, options, user, password, dbname)"),
                bad("postgresql://h/x?host=%2Ftmp", "DATABASE_URL: unsupported parameter \"host\" at position 18 (expected: one of sslmode,"
                        + " ssl, sslrootcert, sslcert, sslkey, sslpassword, sslnegotiation, channel_binding, gssencmode, target_session_attrs,"
                        + " application_name, connect_timeout, load_balance_hosts, keepalives, options, user, password, dbname)"),
                bad("postgresql://h/x?password=hunter2%", "DATABASE_URL: invalid percent-encoding in the password at position 34 (expected: % followed by two hex digits)"),
                bad("postgresql://under score!/x", "DATABASE_URL: the host name is not valid at position 14 (expected: letters, digits, '.', '-' or '_')"),
                bad("postgresql://h/x?password=hun&ter2", "DATABASE_URL: a parameter without '=' right after the password at position 31"
                        + " (expected: name=value; a '&' inside the password percent-encoded as %26)"),
                bad("postgresql://h/x?sslpassword:hunter2", "DATABASE_URL: a parameter without '=' at position 18 (expected: name=value)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validUrls")
    void convertsToPgJdbc(String libpq, String jdbcUrl, String properties) {
        DatabaseUrl url = DatabaseUrl.parse(libpq);

        assertThat(url.jdbcUrl()).isEqualTo(jdbcUrl);
        assertThat(new TreeMap<>(url.propertiesWithSecrets()).toString()).isEqualTo(properties);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validUrls")
    void roundTripsThroughItsMaskedForm(String libpq) {
        DatabaseUrl url = DatabaseUrl.parse(libpq);
        DatabaseUrl again = DatabaseUrl.parse(url.toString());

        assertThat(again.jdbcUrl()).isEqualTo(url.jdbcUrl());
        assertThat(again.parameters()).isEqualTo(url.parameters());
        assertThat(again.user()).isEqualTo(url.user());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidUrls")
    void rejectsMalformedInputWithPositionAndReason(String libpq, String message) {
        assertThatThrownBy(() -> DatabaseUrl.parse(libpq))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message)
                .message().doesNotContain("hunter2").doesNotContain("hun").doesNotContain("ter2");
    }

    @Test
    void theSecretsAreInClearInThePropertiesWithSecretsOnly() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://app:hunter2@db/reporadar?sslpassword=keypass&application_name=api");

        assertThat(url.jdbcUrl()).doesNotContain("hunter2").doesNotContain("app");
        assertThat(url.toString()).isEqualTo("postgresql://app:****@db:5432/reporadar?sslpassword=****&application_name=api")
                .doesNotContain("hunter2").doesNotContain("keypass");
        assertThat(url.parameters()).doesNotContainKeys("password", "user");
        Properties properties = url.propertiesWithSecrets();
        assertThat(properties.getProperty("password")).isEqualTo("hunter2");
        assertThat(properties.getProperty("sslpassword")).isEqualTo("keypass");
        assertThat(url.hasPassword()).isTrue();
    }

    @Test
    void pgJdbcReadsTheDatabaseNameBackExactly() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://h/a+b%20c%25");
        Properties parsed = Objects.requireNonNull(org.postgresql.Driver.parseURL(url.jdbcUrl(), new Properties()),
                "pgJDBC cannot read the URL back");
        assertThat(parsed.getProperty("PGDBNAME")).isEqualTo("a+b c%");
    }

    private static Arguments ok(String libpq, String jdbcUrl, String properties) {
        return Arguments.of(libpq, jdbcUrl, properties);
    }

    private static Arguments bad(@Nullable String libpq, String message) {
        return Arguments.of(libpq, message);
    }
}
