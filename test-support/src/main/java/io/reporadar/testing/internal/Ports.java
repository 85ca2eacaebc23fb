package io.reporadar.testing.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Free loopback ports and waiting for a server to listen.
 *
 * <p>Thread-safe.
 */
public final class Ports {

    private Ports() {
    }

    /** A port that was free a moment ago on 127.0.0.1. */
    public static int free() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on 127.0.0.1", e);
        }
    }

    public static boolean accepts(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Polls {@code ready} until it is true; fails early, with the end of its log, when {@code backend} dies, and at
     * the deadline otherwise. A null {@code backend}: no process to watch (a server of the environment, a state of
     * several servers).
     */
    public static void await(String what, Duration timeout, @Nullable ServerBackend backend, Supplier<Boolean> ready) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            if (ready.get()) {
                return;
            }
            if (backend != null && !backend.isAlive()) {
                throw new IllegalStateException(what + " exited during start-up. Its log ends with:\n" + backend.logTail(30));
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(what + " was not ready within " + timeout
                        + (backend == null ? "" : ". Its log ends with:\n" + backend.logTail(30)));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
    }
}
