package io.reporadar.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthEndpointsTest {

    @Test
    @SuppressWarnings("NullAway") // passes a null path on purpose, to see it refused
    void aRequestNamesItsPartsAndItsToStringLeavesTheCredentialsOut() {
        HealthEndpoints.Request request = HealthEndpoints.Request.of("GET", "/health/backend").withQuery("fresh").withAccept("text/plain")
                .from(InetAddress.getLoopbackAddress()).withAuthorization("Bearer s3cret-token");

        assertThat(request.query()).isEqualTo("fresh");
        assertThat(request.accept()).isEqualTo("text/plain");
        assertThat(request.authorization()).isEqualTo("Bearer s3cret-token");
        assertThat(request.toString()).isEqualTo("Request[GET /health/backend?fresh from 127.0.0.1, with credentials]").doesNotContain("s3cret");
        assertThatThrownBy(() -> HealthEndpoints.Request.of("GET", null)).hasMessage("path");
    }

    @Test
    void anUnknownPathAndAnUnsupportedMethodAreAnsweredWithoutDetails() {
        Health health = Health.builder().build();
        HealthEndpoints endpoints = HealthEndpoints.of(health, DetailsPolicy.loopback());

        HealthEndpoints.Response missing = endpoints.handle(HealthEndpoints.Request.of("GET", "/health/nope"));
        HealthEndpoints.Response post = endpoints.handle(HealthEndpoints.Request.of("POST", "/health"));

        assertThat(missing.status()).isEqualTo(404);
        assertThat(new String(missing.body(), StandardCharsets.UTF_8)).isEqualTo("{\"error\":\"no such health endpoint\"}");
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.headers()).containsEntry("Allow", "GET, HEAD");
    }

    @Test
    void anAcceptHeaderOfNothingButSeparatorsGetsTheDefaultFormat() {
        HealthEndpoints endpoints = HealthEndpoints.of(Health.builder().build(), DetailsPolicy.never());

        for (String accept : List.of(";", ",", " ; , ;q=1", "text/plain;q=1,")) {
            HealthEndpoints.Response response = endpoints.handle(HealthEndpoints.Request.of("GET", "/health").withAccept(accept));
            assertThat(response.contentType()).as(accept).isEqualTo(accept.startsWith("text/") ? HealthEndpoints.TEXT : HealthEndpoints.JSON);
        }
    }
}
