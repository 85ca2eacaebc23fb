package io.reporadar.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.lb.Endpoint;
import io.reporadar.testing.NginxServer;
import io.reporadar.testing.PostgresExtension;
import io.reporadar.testing.RedisExtension;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rendered TLS server in real nginx, with a certificate this test makes (openssl): the plain port redirects,
 * and the TLS server keeps every rule of the plain one (HSTS, proxy headers, allow-lists, rate limits).
 */
class NginxTlsIT {

    @RegisterExtension
    static final RedisExtension redis = RedisExtension.perClass();
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.freshDatabase();

    private static DemoApp app;
    private static NginxServer nginx;
    private static int tlsPort;
    private static SSLContext trusting;

    @BeforeAll
    static void start(@TempDir Path certs) throws Exception {
        Path cert = certs.resolve("cert.pem");
        Path key = certs.resolve("key.pem");
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key.toString(), "-out", cert.toString());
        trusting = trusting(cert);
        Map<String, String> env = new java.util.HashMap<>(DemoAppIT.environment("reporadar-1", redis.uri(), postgres.database().url()));
        env.put("APP_ENV", "production"); // Secure cookies: this client speaks https
        app = DemoApp.start(DemoConfig.fromEnvironment(env));
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            tlsPort = probe.getLocalPort();
        }
        NginxConfig.Tls tls = new NginxConfig.Tls("127.0.0.1:" + tlsPort, cert.toString(), key.toString());
        nginx = NginxServer.start(port -> NginxConfig.httpBlock(List.of(Endpoint.of("127.0.0.1", app.port())), "127.0.0.1:" + port,
                NginxConfig.DEFAULT_RATE_LIMIT, tls));
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.close();
        }
        if (app != null) {
            app.close();
        }
    }

    @Test
    void thePlainPortRedirectsToTheTlsServer() throws Exception {
        HttpResponse<String> plain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(nginx.url("/api/me?x=1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(plain.statusCode()).isEqualTo(301);
        assertThat(plain.headers().firstValue("Location")).contains("https://127.0.0.1:" + tlsPort + "/api/me?x=1");
    }

    @Test
    void theTlsServerSendsHstsAndKeepsThePlainServersRules() throws Exception {
        HttpClient https = HttpClient.newBuilder().sslContext(trusting).build();
        HttpResponse<String> login = https.send(HttpRequest.newBuilder(tls("/api/login")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"ada\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(login.headers().firstValue("Strict-Transport-Security")).contains("max-age=31536000");
        assertThat(login.headers().firstValue("Set-Cookie")).hasValueSatisfying(cookie -> assertThat(cookie).contains("; Secure"));
        assertThat(login.headers().firstValue("X-Instance-Id")).contains("reporadar-1");

        HttpResponse<String> notFound = https.send(HttpRequest.newBuilder(tls("/nothing-here")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(notFound.headers().firstValue("Strict-Transport-Security")).as("on errors too").isPresent();

        // The allow-list: 127.0.0.1 is inside, 127.0.0.2 outside, over TLS as over plain http.
        assertThat(rawTls(InetAddress.getLoopbackAddress(), "/metrics")).startsWith("HTTP/1.1 200").contains("# HELP");
        for (String path : List.of("/metrics", "/metrics;x", "/health/backend", "/nginx_status")) {
            assertThat(rawTls(InetAddress.getByName("127.0.0.2"), path)).as(path + " from 127.0.0.2 over TLS")
                    .doesNotContain("# HELP").doesNotContain("postgres").doesNotContain("Active connections");
        }

        // The rate limit on /api/: 20 per second with bursts of 40 per client address. Back to back on one kept-alive
        // connection (no TLS handshake each, which a busy machine makes slow), requests come faster than 20 a second,
        // so a 429 comes after the burst of 40 (at most 400 requests: 20 s at the limit).
        int sent = 0;
        int status = 0;
        while (status != 429 && sent < 400) {
            status = https.send(HttpRequest.newBuilder(tls("/api/me")).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            sent++;
        }
        assertThat(status).as("a request over the rate limit, after " + sent + " back to back").isEqualTo(429);
        assertThat(sent).as("requests before the first 429").isGreaterThan(40);
    }

    private static URI tls(String path) {
        return URI.create("https://127.0.0.1:" + tlsPort + path);
    }

    /** One GET over TLS from {@code source}, sent as written; the whole answer. */
    private static String rawTls(InetAddress source, String target) throws IOException {
        try (SSLSocket socket = (SSLSocket) trusting.getSocketFactory().createSocket()) {
            return RawHttp.get(socket, source, tlsPort, target, null);
        }
    }

    private static SSLContext trusting(Path certificate) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(certificate)) {
            store.setCertificateEntry("test", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static void run(String... command) throws Exception {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("openssl is needed to make this test's certificate: apt-get install openssl", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }
}
