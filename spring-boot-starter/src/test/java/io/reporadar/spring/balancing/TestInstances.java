package io.reporadar.spring.balancing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.reporadar.lb.Endpoint;
import io.reporadar.lb.LoadBalancer;
import io.reporadar.lb.PickContext;
import io.reporadar.lb.Strategy;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Real HTTP servers on free ports of 127.0.0.1, the "instances" of a balanced service: each answers
 * {@code <name> <METHOD> <path?query> <body>} with the status it is told, and records what it received. A JUnit
 * extension: a fresh set for each test.
 */
final class TestInstances implements BeforeEachCallback, AfterEachCallback {

    /** One instance. */
    static final class Instance {
        final String name;
        final HttpServer server;
        final List<String> received = new CopyOnWriteArrayList<>();
        volatile int status = 200;

        Instance(String name) throws IOException {
            this.name = name;
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", this::answer);
            server.start();
        }

        private void answer(HttpExchange exchange) throws IOException {
            try (exchange) {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                String line = exchange.getRequestMethod() + " " + exchange.getRequestURI() + (body.isEmpty() ? "" : " " + body);
                received.add(line);
                byte[] answer = (name + " " + line).getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status, answer.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }
    }

    final List<Instance> instances = new ArrayList<>();
    private final int count;

    private TestInstances(int count) {
        this.count = count;
    }

    /** {@code count} instances, started before each test and stopped after it: {@code @RegisterExtension}. */
    static TestInstances of(int count) {
        return new TestInstances(count);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        instances.clear();
        for (int i = 1; i <= count; i++) {
            instances.add(new Instance("instance-" + i));
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        instances.forEach(instance -> instance.server.stop(0));
    }

    Instance get(int index) {
        return instances.get(index);
    }

    /** The URL of a port nothing listens on (free a moment ago): an instance that is down. */
    static String downUrl() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }
    }

    /** A hash key that the consistent hash over {@code urls} sends to {@code target}. */
    static String keyPicking(String target, List<String> urls) {
        List<Endpoint> endpoints = urls.stream().map(url -> Endpoint.parse(URI.create(url).getAuthority())).toList();
        LoadBalancer balancer = LoadBalancer.of(Strategy.consistentHash(), endpoints);
        Endpoint wanted = Endpoint.parse(URI.create(target).getAuthority());
        for (int i = 0; ; i++) {
            String key = "key-" + i;
            if (wanted.equals(balancer.pick(PickContext.withKey(key)))) {
                return key;
            }
        }
    }
}
