package io.reporadar.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * HTTP/1.1 requests written by hand, for spellings a client library would normalise, from a source address of
 * the test's choosing (127.0.0.2 is outside the rendered nginx's allow-list).
 */
final class RawHttp {

    private RawHttp() {
    }

    /**
     * Binds {@code socket} to {@code source}, connects it to 127.0.0.1:{@code port}, and sends one GET, with
     * {@code X-Forwarded-For} unless {@code forwardedFor} is null.
     */
    static String get(Socket socket, InetAddress source, int port, String target, @Nullable String forwardedFor) throws IOException {
        socket.setSoTimeout(10_000);
        socket.bind(new InetSocketAddress(source, 0));
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + (forwardedFor == null ? "" : "X-Forwarded-For: " + forwardedFor + "\r\n") + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        try (InputStream in = socket.getInputStream()) {
            in.transferTo(answer);
        } catch (javax.net.ssl.SSLException closed) {
            // nginx may close a TLS connection without close_notify after Connection: close
        }
        return answer.toString(StandardCharsets.ISO_8859_1);
    }

    /** The status code of an answer {@link #get} returned, or -1. */
    static int status(String answer) {
        return answer.startsWith("HTTP/1.") && answer.length() >= 12 ? Integer.parseInt(answer.substring(9, 12)) : -1;
    }
}
