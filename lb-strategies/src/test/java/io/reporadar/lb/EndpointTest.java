package io.reporadar.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EndpointTest {

    @Test
    void parsesNginxServerSyntax() {
        Endpoint e = Endpoint.parse("reporadar-1:3000 weight=3");
        assertThat(e.host()).isEqualTo("reporadar-1");
        assertThat(e.port()).isEqualTo(3000);
        assertThat(e.weight()).isEqualTo(3);
        assertThat(e).hasToString("reporadar-1:3000 weight=3");
    }

    @Test
    void parsesBracketedIpv6AndWritesItBack() {
        Endpoint e = Endpoint.parse("[::1]:3001");
        assertThat(e.host()).isEqualTo("::1");
        assertThat(e.address()).isEqualTo("[::1]:3001");
        assertThat(e.weight()).isEqualTo(Endpoint.DEFAULT_WEIGHT);
    }

    @Test
    void identityIsHostAndPortNotWeight() {
        assertThat(Endpoint.of("A", 1, 5)).isEqualTo(Endpoint.of("a", 1)).hasSameHashCodeAs(Endpoint.of("a", 1));
    }

    @Test
    void badInputNamesTheCulprit() {
        assertThatThrownBy(() -> Endpoint.of("h", 0)).hasMessage("port: 0 (expected: 1..65535)");
        assertThatThrownBy(() -> Endpoint.of("h", 80, 0)).hasMessage("weight: 0 (expected: >= 1)");
        assertThatThrownBy(() -> Endpoint.of(" ", 80)).hasMessage("host: \" \" (expected: a host name or address)");
        assertThatThrownBy(() -> Endpoint.parse("h:x")).hasMessage("endpoint: \"h:x\" (expected: a number as port, got \"x\")");
        assertThatThrownBy(() -> Endpoint.parse("h:80 max_fails=3"))
                .hasMessage("endpoint: \"h:80 max_fails=3\" (expected: host:port [weight=N], unknown \"max_fails=3\")");
        assertThatThrownBy(() -> Endpoint.parse("h")).hasMessage("endpoint: \"h\" (expected: host:port [weight=N])");
    }
}
