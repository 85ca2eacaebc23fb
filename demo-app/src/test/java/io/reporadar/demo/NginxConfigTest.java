package io.reporadar.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NginxConfigTest {

    @Test
    void theCommittedNginxConfIsTheRenderersOutputInFrontOfEveryReplicaOfTheComposeService() throws Exception {
        String committed = Files.readString(Path.of("..", "docker", "nginx", "nginx.conf"));
        assertThat(committed).as("docker/nginx/nginx.conf is rendered: run NginxConfig, do not edit it")
                .isEqualTo(NginxConfig.file(false));
        assertThat(committed).contains("least_conn;").contains("server reporadar:3000 max_fails=3 fail_timeout=2s;")
                .as("no instance is named: the service name resolves to every replica").doesNotContainPattern("reporadar-[0-9]")
                .contains("proxy_next_upstream error timeout http_502 http_503;").doesNotContainPattern("proxy_next_upstream [^;]*non_idempotent")
                .contains("location @api_write {").contains("        proxy_next_upstream error timeout;")
                .contains("keepalive_timeout 1000ms;");
        assertThat(Files.readString(Path.of("..", "docs", "scaling.md"))).as("docs/scaling.md shows the upstream as rendered")
                .contains("    least_conn;\n    server reporadar:3000 max_fails=3 fail_timeout=2s;\n    keepalive 32;\n    keepalive_timeout 1000ms;\n");
        String tls = Files.readString(Path.of("..", "docker", "nginx", "nginx-tls.conf"));
        assertThat(tls).as("docker/nginx/nginx-tls.conf is rendered: run NginxConfig --tls").isEqualTo(NginxConfig.file(true));
        assertThat(tls).contains("listen 443 ssl;").contains("return 301 https://$host$request_uri;")
                .contains("add_header Strict-Transport-Security \"max-age=31536000\" always;");
    }
}
