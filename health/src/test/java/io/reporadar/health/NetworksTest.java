package io.reporadar.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

class NetworksTest {

    private static InetAddress ip(String literal) {
        return Objects.requireNonNull(Networks.literal(literal), literal);
    }

    @Test
    void internalIsWhatTheRenderedNginxAdmits() {
        assertThat(Networks.INTERNAL.contains(ip("127.0.0.1"))).isTrue();
        assertThat(Networks.INTERNAL.contains(ip("127.0.0.2"))).as("the rest of 127/8 is not in nginx's list").isFalse();
        assertThat(Networks.INTERNAL.contains(ip("10.1.2.3"))).isTrue();
        assertThat(Networks.INTERNAL.contains(ip("172.31.255.255"))).isTrue();
        assertThat(Networks.INTERNAL.contains(ip("172.32.0.1"))).isFalse();
        assertThat(Networks.INTERNAL.contains(ip("192.168.7.7"))).isTrue();
        assertThat(Networks.INTERNAL.contains(ip("8.8.8.8"))).isFalse();
        assertThat(Networks.INTERNAL.contains(ip("::1"))).isTrue();
        assertThat(Networks.INTERNAL.contains(ip("fd00::7"))).isTrue();
        assertThat(Networks.INTERNAL.contains(ip("2001:db8::1"))).isFalse();
        assertThat(Networks.INTERNAL.contains(ip("::ffff:10.0.0.1"))).as("IPv4-mapped").isTrue();
        assertThat(Networks.INTERNAL.contains(null)).isFalse();
        assertThat(Networks.LOOPBACK.contains(ip("127.0.0.2"))).isTrue();
    }

    @Test
    void onlyAddressLiteralsAreReadNeverAName() {
        assertThat(Networks.literal("localhost")).isNull();
        assertThat(Networks.literal("example.com")).isNull();
        assertThat(Networks.literal("unknown")).isNull();
        assertThat(Networks.literal("[::1]")).isEqualTo(ip("::1"));
        assertThat(Networks.literal(" 10.0.0.1:4711 ")).isEqualTo(ip("10.0.0.1"));
        assertThat(Networks.literal("999.0.0.1")).isNull();
    }

    @Test
    void aBadListNamesTheVariableAndTheEntry() {
        assertThatThrownBy(() -> Networks.parse("TRUSTED_PROXIES", "127.0.0.1, nginx"))
                .hasMessage("TRUSTED_PROXIES: \"nginx\" is not an address or a CIDR block (expected: a comma-separated list such as"
                        + " 127.0.0.1, 10.0.0.0/8, ::1)");
        assertThatThrownBy(() -> Networks.parse("TRUSTED_PROXIES", "10.0.0.0/33")).hasMessageContaining("\"10.0.0.0/33\"");
        assertThatThrownBy(() -> Networks.parse("TRUSTED_PROXIES", "10.0.0.0/x")).hasMessageContaining("\"10.0.0.0/x\"");
        assertThat(Networks.parse("TRUSTED_PROXIES", " ")).isEqualTo(Networks.NONE);
        assertThat(Networks.parse("TRUSTED_PROXIES", "10.0.0.0/8, ::1")).hasToString("Networks[10.0.0.0/8, 0:0:0:0:0:0:0:1/128]");
    }

    @Test
    void theClientIsTheConnectingAddressUnlessATrustedProxyNamesIt() {
        Networks proxies = Networks.parse("TRUSTED_PROXIES", "127.0.0.1");
        assertThat(proxies.client("203.0.113.9", List.of("127.0.0.1"))).as("a client's own header from outside")
                .isEqualTo(ip("203.0.113.9"));
        assertThat(proxies.client("127.0.0.1", List.of("127.0.0.2"))).isEqualTo(ip("127.0.0.2"));
        assertThat(proxies.client("127.0.0.1", List.of("127.0.0.1, 127.0.0.2"))).as("the client wrote the left entry")
                .isEqualTo(ip("127.0.0.2"));
        assertThat(proxies.client("127.0.0.1", List.of("10.0.0.1", "127.0.0.2"))).as("two header lines").isEqualTo(ip("127.0.0.2"));
        assertThat(proxies.client("127.0.0.1", List.of())).as("the proxy itself").isEqualTo(ip("127.0.0.1"));
        assertThat(proxies.client("127.0.0.1", List.of("not-an-address"))).as("nobody in particular").isNull();
        assertThat(proxies.client("127.0.0.1", List.of("10.0.0.1,"))).as("an empty rightmost entry is no address").isNull();
        assertThat(proxies.client("127.0.0.1", List.of("10.0.0.1, "))).as("a blank one neither").isNull();
        assertThat(Networks.NONE.client("127.0.0.1", List.of("10.0.0.1"))).as("no proxy trusted").isEqualTo(ip("127.0.0.1"));
    }

    @Test
    void aDetailsPolicyForNetworksJudgesTheClient() {
        DetailsPolicy internal = DetailsPolicy.networks(Networks.INTERNAL);
        assertThat(internal.allows(ip("10.0.0.5"), null)).isTrue();
        assertThat(internal.allows(ip("127.0.0.2"), null)).isFalse();
        assertThat(internal.allows(null, null)).isFalse();
        assertThat(DetailsPolicy.loopback().allows(ip("127.0.0.2"), null)).isTrue();
        assertThat(DetailsPolicy.loopback().allows(ip("10.0.0.5"), null)).isFalse();
    }
}
