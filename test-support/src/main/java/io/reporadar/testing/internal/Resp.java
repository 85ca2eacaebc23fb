package io.reporadar.testing.internal;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A minimal Redis protocol client for the fixtures' own needs (PING, FLUSHALL, ROLE, SENTINEL ...), so that
 * test-support does not impose a Redis client library on its users.
 *
 * <p>Thread-safe: every call opens its own connection.
 */
public final class Resp {

    private Resp() {
    }

    /** A reply of type error ("-ERR ...", "-READONLY ..."). */
    public static final class ErrorReply extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ErrorReply(String message) {
            super(message);
        }
    }

    /**
     * Sends one command and returns the reply: a {@code String} for simple and bulk strings, a {@code Long}
     * for integers, a {@code List<Object>} for arrays (an element that is an error reply is an {@link ErrorReply}),
     * {@code null} for nil.
     */
    public static @Nullable Object call(String host, int port, Duration timeout, String... args) throws IOException {
        return callAfter(host, port, timeout, List.of(), args);
    }

    /**
     * Sends {@code setup} commands (AUTH, SELECT) on the same connection first, failing on an error reply to
     * any of them, then {@code args}, whose reply is returned (as {@link #call} returns it).
     */
    public static @Nullable Object callAfter(String host, int port, Duration timeout, List<String[]> setup, String... args)
            throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            for (String[] command : setup) {
                out.write(encode(command));
                out.flush();
                read(in);
            }
            out.write(encode(args));
            out.flush();
            return read(in);
        }
    }

    private static byte[] encode(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        buf.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            buf.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            buf.writeBytes(bytes);
            buf.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return buf.toByteArray();
    }

    private static @Nullable Object read(InputStream in) throws IOException {
        int type = in.read();
        String line = readLine(in);
        return switch (type) {
            case '+' -> line;
            case '-' -> throw new ErrorReply(line);
            case ':' -> Long.valueOf(line);
            case '$' -> bulkString(in, Integer.parseInt(line));
            case '*' -> array(in, Integer.parseInt(line));
            case -1 -> throw new IOException("connection closed by the server");
            default -> throw new IOException("unexpected reply type '" + (char) type + "'");
        };
    }

    /** A bulk string of {@code length} bytes; null for the nil bulk string (length -1). */
    private static @Nullable String bulkString(InputStream in, int length) throws IOException {
        if (length < 0) {
            return null;
        }
        byte[] data = in.readNBytes(length);
        readLine(in);
        return new String(data, StandardCharsets.UTF_8);
    }

    /** An array of {@code count} replies, an error among them kept as its {@link ErrorReply}; null for the nil array. */
    private static @Nullable List<@Nullable Object> array(InputStream in, int count) throws IOException {
        if (count < 0) {
            return null;
        }
        List<@Nullable Object> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            try {
                items.add(read(in));
            } catch (ErrorReply e) {
                items.add(e);
            }
        }
        return items;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\r') {
                in.read();
                break;
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
