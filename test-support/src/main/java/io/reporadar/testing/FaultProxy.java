package io.reporadar.testing;

import io.reporadar.core.DaemonThreads;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy between a client and a server that injects network faults: latency, silence (the server
 * seems to stop answering, as with a frozen host or a dropped route) and cut connections.
 *
 * <pre>{@code
 * try (FaultProxy proxy = FaultProxy.to("127.0.0.1", redis.port())) {
 *     RedisClient client = RedisClient.create("redis://127.0.0.1:" + proxy.port());
 *     proxy.latency(Duration.ofMillis(200));
 *     proxy.blackhole();         // bytes are held, connections stay open
 *     proxy.heal();              // held bytes flow again
 *     proxy.cutConnections();    // every open connection is reset (RST), new ones are accepted
 * }
 * }</pre>
 *
 * <p>Thread-safe: faults may be switched from any thread while traffic flows.
 */
public final class FaultProxy implements AutoCloseable {

    private static final int BUFFER = 16 * 1024;

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket listener;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile Duration latency = Duration.ZERO;
    private volatile boolean blackholed;
    private volatile boolean refusing;
    private volatile boolean closed;

    private FaultProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        DaemonThreads.thread("fault-proxy-accept-" + listener.getLocalPort(), this::acceptLoop).start();
    }

    /** Starts a proxy on a free loopback port that forwards to {@code host:port}. */
    public static FaultProxy to(String host, int port) {
        try {
            return new FaultProxy(host, port);
        } catch (IOException e) {
            throw new IllegalStateException("cannot open a proxy port on 127.0.0.1: " + e.getMessage(), e);
        }
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Delays every chunk of data, in each direction, by {@code delay}. */
    public FaultProxy latency(Duration delay) {
        if (delay == null || delay.isNegative()) {
            throw new IllegalArgumentException("latency: " + delay + " (expected: zero or a positive duration)");
        }
        latency = delay;
        return this;
    }

    /**
     * Stops answering: open connections stay open but no byte passes in either direction, and new
     * connections are accepted and then left silent. Nothing is lost: {@link #heal()} lets held bytes flow.
     */
    public FaultProxy blackhole() {
        blackholed = true;
        return this;
    }

    /** Closes every open connection with a reset (RST), as a crashed peer or a dropped NAT entry would. */
    public FaultProxy cutConnections() {
        for (Socket socket : sockets) {
            reset(socket);
        }
        return this;
    }

    /** Refuses new connections (accepts and resets them at once) until {@link #heal()}. */
    public FaultProxy refuseConnections() {
        refusing = true;
        return this;
    }

    /** Removes every fault: no latency, no silence, connections accepted. */
    public FaultProxy heal() {
        latency = Duration.ZERO;
        refusing = false;
        synchronized (gate) {
            blackholed = false;
            gate.notifyAll();
        }
        return this;
    }

    /** How many client connections the proxy has accepted so far. */
    public int acceptedConnections() {
        return accepted.get();
    }

    /** How many client and server sockets are open now. */
    public int openSockets() {
        return sockets.size();
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        heal();
        for (Socket socket : sockets) {
            reset(socket);
        }
    }

    @Override
    public String toString() {
        return "FaultProxy 127.0.0.1:" + port() + " -> " + targetHost + ":" + targetPort;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            accepted.incrementAndGet();
            if (refusing) {
                reset(client);
                continue;
            }
            DaemonThreads.thread("fault-proxy-connect-" + port(), () -> connect(client)).start();
        }
    }

    private void connect(Socket client) {
        sockets.add(client);
        Socket server = new Socket();
        sockets.add(server);
        try {
            awaitOpenGate();
            server.connect(new InetSocketAddress(targetHost, targetPort), 10_000);
            client.setTcpNoDelay(true);
            server.setTcpNoDelay(true);
        } catch (IOException e) {
            reset(client);
            reset(server);
            return;
        }
        pump(client, server, "up");
        pump(server, client, "down");
    }

    /** Forwards what {@code from} sends to {@code to}, on a thread of its own. */
    private void pump(Socket from, Socket to, String direction) {
        DaemonThreads.thread("fault-proxy-" + direction + "-" + port(), () -> forward(from, to)).start();
    }

    private void forward(Socket from, Socket to) {
        byte[] buffer = new byte[BUFFER];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) != -1) {
                awaitOpenGate();
                Duration delay = latency;
                if (!delay.isZero()) {
                    Thread.sleep(delay.toMillis(), delay.toNanosPart() % 1_000_000);
                }
                out.write(buffer, 0, n);
                out.flush();
            }
            // Orderly end of one direction: pass the FIN on and keep the other direction open;
            // once both directions have ended, both sockets are done.
            to.shutdownOutput();
            if (from.isOutputShutdown()) {
                closeQuietly(from);
                closeQuietly(to);
            }
        } catch (IOException | InterruptedException e) {
            reset(from);
            reset(to);
        }
    }

    private void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already gone
        } finally {
            sockets.remove(socket);
        }
    }

    private void awaitOpenGate() {
        synchronized (gate) {
            while (blackholed && !closed) {
                try {
                    gate.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void reset(Socket socket) {
        try {
            if (!socket.isClosed()) {
                socket.setSoLinger(true, 0);
                socket.close();
            }
        } catch (IOException ignored) {
            // already gone
        } finally {
            sockets.remove(socket);
        }
    }
}
