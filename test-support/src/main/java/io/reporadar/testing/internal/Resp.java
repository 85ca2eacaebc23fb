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
     * for integers, a {@code List<Object>} for arrays, {@code null} for nil.
     */
    public static Object call(String host, int port, Duration timeout, String... args) throws IOException {
        return callAfter(host, port, timeout, List.of(), args);
    }

    /**
     * Sends {@code setup} commands (AUTH, SELECT) on the same connection first, failing on an error reply to
     * any of them, then {@code args}, whose reply is returned.
     */
    public static Object callAfter(String host, int port, Duration timeout, List<String[]> setup, String... args)
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

    private static Object read(InputStream in) throws IOException {
        int type = in.read();
        String line = readLine(in);
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new ErrorReply(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                byte[] data = in.readNBytes(length);
                readLine(in);
                return new String(data, StandardCharsets.UTF_8);
            }
            case '*': {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    try {
                        items.add(read(in));
                    } catch (ErrorReply e) {
                        items.add(e);
                    }
                }
                return items;
            }
            case -1:
                throw new IOException("connection closed by the server");
            default:
                throw new IOException("unexpected reply type '" + (char) type + "'");
        }
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
