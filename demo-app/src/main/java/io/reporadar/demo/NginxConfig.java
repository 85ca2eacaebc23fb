package io.reporadar.demo;

import io.reporadar.lb.Endpoint;
import io.reporadar.lb.NginxUpstream;
import io.reporadar.lb.Strategy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The nginx in front of the instances, rendered rather than hand-edited: the upstream comes from
 * {@code lb-strategies}. Its servers are a list of endpoints: the instances' own addresses where they are known
 * (the local launcher, the drills), and in the compose topology the one service name, {@code reporadar:3000},
 * which nginx resolves to every replica's address when it starts and at each {@code nginx -s reload} (a name
 * with several addresses is several servers to nginx, each with its own {@code max_fails} and connection count),
 * so that scaling is {@code docker compose up --scale} and a reload, with no file to edit.
 *
 * <p>{@code docker/nginx/nginx.conf} is {@link #file(boolean) file(false)}; a test keeps it so.
 */
public final class NginxConfig {

    /** Addresses allowed to see {@code /metrics}, {@code /health/backend} and {@code /nginx_status}. */
    private static final String INTERNAL = """
                allow 127.0.0.1;
                allow 10.0.0.0/8;
                allow 172.16.0.0/12;
                allow 192.168.0.0/16;
                deny all;
            """;

    private NginxConfig() {
    }

    /**
     * How long nginx leaves out an instance after 3 failed attempts (connection refused, reset, timeout, 502/503).
     * nginx open source has no active health checks: a restarted instance gets traffic again only once this
     * has passed, so a rolling restart waits this long after an instance is ready before stopping the next.
     * Short on purpose: each second of it is a second an instance that recovered stays out of rotation. (While
     * Redis fails over, writes answer 503 without counting, see {@code @api_write}, and reads succeed from a
     * replica, so no instance is left out for that.)
     */
    public static final Duration FAIL_TIMEOUT = Duration.ofSeconds(2);

    /**
     * How long nginx keeps an idle connection to an instance. A stopping instance waits this long (and a margin)
     * without requests after it closed its listener, so that nginx has closed every connection it kept before the
     * instance does (each one used since is closed by its {@code Connection: close}); short, so stops are quick.
     */
    public static final Duration UPSTREAM_IDLE = Duration.ofSeconds(1);

    /** Requests per second per client address on {@code /api/} (bursts of twice that pass). */
    public static final int DEFAULT_RATE_LIMIT = 20;

    /** What goes inside {@code http { }}: the rate-limit zone, the upstream and the server. */
    public static String httpBlock(List<Endpoint> instances, String listen) {
        return httpBlock(instances, listen, DEFAULT_RATE_LIMIT);
    }

    /** As {@link #httpBlock(List, String)}, with {@code ratePerSecond} requests per client address on {@code /api/}. */
    public static String httpBlock(List<Endpoint> instances, String listen, int ratePerSecond) {
        return httpBlock(instances, listen, ratePerSecond, null);
    }

    /**
     * As {@link #httpBlock(List, String, int)}; with {@code tls}, the server with every rule listens there with TLS and
     * sends {@code Strict-Transport-Security}, and the plain {@code listen} only redirects to it; with {@code tls} null,
     * the server with every rule listens on the plain {@code listen}.
     */
    public static String httpBlock(List<Endpoint> instances, String listen, int ratePerSecond, @Nullable Tls tls) {
        String upstream = NginxUpstream.builder("reporadar", Strategy.leastConnections())
                .servers(instances).maxFails(3).failTimeout(FAIL_TIMEOUT).keepalive(32).keepaliveTimeout(UPSTREAM_IDLE).render();
        String rules = SERVER_RULES.formatted(2 * ratePerSecond, 2 * ratePerSecond, INTERNAL.indent(4), INTERNAL.indent(4));
        String head = """
                limit_req_zone $binary_remote_addr zone=api:10m rate=%dr/s;

                %s
                """.formatted(ratePerSecond, upstream.strip());
        if (tls == null) {
            return head + "server {\n    listen " + listen + ";\n    server_name _;\n" + rules + "}\n";
        }
        return head + """
                server {
                    listen %s;
                    server_name _;
                    server_tokens off;
                    location ~* ^/nginx_status(/|$) {
                        stub_status;
                %s    }
                    location / {
                        return 301 https://$host%s$request_uri;
                    }
                }
                server {
                    listen %s ssl;
                    server_name _;
                    ssl_certificate %s;
                    ssl_certificate_key %s;
                    ssl_protocols TLSv1.2 TLSv1.3;
                    ssl_session_cache shared:tls:10m;
                    ssl_session_timeout 1h;
                    add_header Strict-Transport-Security "max-age=31536000" always;
                """.formatted(listen, INTERNAL.indent(4), tls.port() == 443 ? "" : ":" + tls.port(), tls.listen(), tls.certificate(), tls.key())
                + rules + "}\n";
    }

    /**
     * TLS for the server with the rules: where it listens ({@code 443}, {@code 127.0.0.1:8443}), and the PEM files
     * of the certificate chain and its key as nginx will read them.
     */
    public record Tls(String listen, String certificate, String key) {
        public Tls {
            if (listen == null || !listen.matches("([0-9.]+:)?[0-9]{1,5}")) {
                throw new IllegalArgumentException("TLS listen: " + listen + " (expected: a port, or address:port)");
            }
            if (certificate == null || certificate.isBlank() || key == null || key.isBlank()) {
                throw new IllegalArgumentException("TLS: a certificate and a key file are both needed");
            }
        }

        /** The port clients reach it on. */
        public int port() {
            return Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
        }
    }

    /** Everything in the server that serves the instances: limits, proxy headers, the locations and their allow-lists. */
    private static final String SERVER_RULES = """
                    server_tokens off;
                    client_max_body_size 64k;

                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    proxy_set_header Host $host;
                    # The edge: the client's own X-Forwarded-For is replaced, not extended, so that the instances
                    # (TRUSTED_PROXIES) read the address nginx saw.
                    proxy_set_header X-Forwarded-For $remote_addr;
                    proxy_set_header X-Forwarded-Proto $scheme;
                    proxy_connect_timeout 2s;
                    proxy_read_timeout 30s;
                    # Another instance after a connect error, a timeout, or a 502/503 (a draining instance answers
                    # 503). nginx never retries POST, LOCK or PATCH here: non_idempotent is not set.
                    proxy_next_upstream error timeout http_502 http_503;
                    proxy_next_upstream_tries 3;
                    proxy_next_upstream_timeout 10s;

                    # Path parameters (";x", also as %%3B) are dropped by the instances' Jetty before it matches a
                    # servlet, so "/metrics;x" would pass the internal-only location below: none is accepted.
                    if ($uri ~ ";") {
                        return 400;
                    }

                    location = /health {
                        access_log off;
                        proxy_pass http://reporadar;
                    }
                    location /api/ {
                        error_page 418 = @api_write;
                        if ($request_method !~ ^(GET|HEAD|OPTIONS)$) {
                            return 418;
                        }
                        limit_req zone=api burst=%d nodelay;
                        limit_req_status 429;
                        proxy_pass http://reporadar;
                    }
                    # Writes: a 503 (the session store refuses writes while Redis fails over, the same on every
                    # instance) goes back to the client as it is and leaves the instance in, so reads, which a
                    # replica answers meanwhile, still find every instance. Connect errors and timeouts still count.
                    location @api_write {
                        limit_req zone=api burst=%d nodelay;
                        limit_req_status 429;
                        proxy_next_upstream error timeout;
                        proxy_pass http://reporadar;
                    }
                    # Internal-only, in any case and with anything below (the instances also refuse other clients).
                    location ~* ^/(metrics|health/backend)(/|$) {
                %s        proxy_pass http://reporadar;
                    }
                    location ~* ^/nginx_status(/|$) {
                        stub_status;
                %s    }
                    location / {
                        proxy_pass http://reporadar;
                    }
                """;

    /** The compose service of the instances: every replica of it, on port 3000. */
    public static final Endpoint COMPOSE_INSTANCES = Endpoint.of("reporadar", DemoConfig.DEFAULT_PORT);

    /**
     * The whole {@code nginx.conf} of the compose topology, in front of every replica of {@link #COMPOSE_INSTANCES};
     * with {@code tls}, the rules on 443 with the certificate mounted at {@code /etc/nginx/certs/fullchain.pem} and
     * {@code privkey.pem}, and port 80 redirecting to it.
     */
    public static String file(boolean tls) {
        return """
                # Rendered by io.reporadar.demo.NginxConfig; change that, then run:
                #   ./mvnw -q -pl demo-app compile exec:java -Dexec.mainClass=io.reporadar.demo.NginxConfig
                # (-Dexec.args=--tls for TLS on 443, port 80 redirecting, the certificate mounted in /etc/nginx/certs)
                # The upstream names the compose service: nginx resolves it to every replica when it starts and at each
                # reload, so scaling edits nothing here (scripts/deploy-multi-instance.sh --instances N reloads it).
                worker_processes auto;
                events {
                    worker_connections 4096;
                }
                http {
                    include /etc/nginx/mime.types;
                    access_log /var/log/nginx/access.log;
                    sendfile on;
                    keepalive_timeout 65s;

                %s}
                """.formatted(httpBlock(List.of(COMPOSE_INSTANCES), "80", DEFAULT_RATE_LIMIT,
                        tls ? new Tls("443", "/etc/nginx/certs/fullchain.pem", "/etc/nginx/certs/privkey.pem") : null).indent(4))
                .replaceAll("(?m)[ \t]+$", "");
    }

    /** Writes {@code docker/nginx/nginx.conf}, or with {@code --tls} {@code docker/nginx/nginx-tls.conf}. */
    public static void main(String[] args) throws IOException {
        boolean tls = args.length == 1 && args[0].equals("--tls");
        if (args.length > 0 && !tls) {
            System.err.println("NginxConfig: " + String.join(" ", args) + " (expected: nothing, or --tls; the number of instances is"
                    + " not rendered: scripts/deploy-multi-instance.sh --instances N scales them and reloads nginx)");
            System.exit(2);
        }
        Path target = Path.of(System.getProperty("maven.multiModuleProjectDirectory", ".."), "docker", "nginx", tls ? "nginx-tls.conf" : "nginx.conf");
        Files.createDirectories(target.getParent());
        Files.writeString(target, file(tls), StandardCharsets.UTF_8);
        System.out.println("wrote " + target.toAbsolutePath().normalize());
    }
}
