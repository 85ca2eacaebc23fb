package io.reporadar.spring.balancing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Real HTTP servers on free ports of 127.0.0.1, the "instances" of a balanced service: each answers
 * {@code <name> <METHOD> <path?query> <body>} with the status it is told, and records what it received.
 */
final class TestInstances implements AutoCloseable {

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

    private TestInstances() {
    }

    static TestInstances start(int count) throws IOException {
        TestInstances started = new TestInstances();
        try {
            for (int i = 1; i <= count; i++) {
                started.instances.add(new Instance("instance-" + i));
            }
        } catch (IOException e) {
            started.close();
            throw e;
        }
        return started;
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

    @Override
    public void close() {
        instances.forEach(instance -> instance.server.stop(0));
    }
}
