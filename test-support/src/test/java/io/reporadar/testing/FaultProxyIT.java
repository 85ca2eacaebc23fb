package io.reporadar.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FaultProxyIT {

    @RegisterExtension
    static final RedisExtension redis = RedisExtension.shared();

    @Test
    void forwardsTrafficBothWays() throws IOException {
        try (FaultProxy proxy = FaultProxy.to(redis.server().host(), redis.server().port());
                Socket client = connect(proxy)) {
            assertThat(ping(client)).isEqualTo("+PONG");
            assertThat(proxy.acceptedConnections()).isEqualTo(1);
        }
    }

    @Test
    void latencyDelaysEveryReply() throws IOException {
        try (FaultProxy proxy = FaultProxy.to(redis.server().host(), redis.server().port());
                Socket client = connect(proxy)) {
            proxy.latency(Duration.ofMillis(300));
            long start = System.nanoTime();
            assertThat(ping(client)).isEqualTo("+PONG");
            // One delay up and one down: the fault must be visible, whatever the machine's speed.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(600));
        }
    }

    @Test
    void blackholeHoldsBytesUntilHealed() throws IOException {
        try (FaultProxy proxy = FaultProxy.to(redis.server().host(), redis.server().port());
                Socket client = connect(proxy)) {
            assertThat(ping(client)).isEqualTo("+PONG");
            proxy.blackhole();
            client.setSoTimeout(700);
            client.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);

            proxy.heal();
            client.setSoTimeout(5000);
            assertThat(readLine(client.getInputStream())).isEqualTo("+PONG");
        }
    }

    @Test
    void cutConnectionsResetsOpenConnectionsButAcceptsNewOnes() throws IOException {
        try (FaultProxy proxy = FaultProxy.to(redis.server().host(), redis.server().port());
                Socket client = connect(proxy)) {
            assertThat(ping(client)).isEqualTo("+PONG");
            proxy.cutConnections();
            assertThatThrownBy(() -> {
                for (int i = 0; i < 3; i++) {
                    ping(client);
                }
            }).isInstanceOf(IOException.class);

            try (Socket again = connect(proxy)) {
                assertThat(ping(again)).isEqualTo("+PONG");
            }
        }
    }

    @Test
    void refuseConnectionsResetsNewConnectionsUntilHealed() throws IOException {
        try (FaultProxy proxy = FaultProxy.to(redis.server().host(), redis.server().port())) {
            proxy.refuseConnections();
            try (Socket refused = connect(proxy)) {
                assertThatThrownBy(() -> ping(refused)).isInstanceOf(IOException.class);
            }
            proxy.heal();
            try (Socket accepted = connect(proxy)) {
                assertThat(ping(accepted)).isEqualTo("+PONG");
            }
        }
    }

    private static Socket connect(FaultProxy proxy) throws IOException {
        Socket socket = new Socket(proxy.host(), proxy.port());
        socket.setSoTimeout(5000);
        return socket;
    }

    private static String ping(Socket socket) throws IOException {
        socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        String line = readLine(socket.getInputStream());
        if (line == null) {
            throw new IOException("connection closed");
        }
        return line;
    }

    /** A line without its CRLF; null at the end of the stream. */
    private static @Nullable String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\r') {
                in.read();
                return line.toString();
            }
            line.append((char) b);
        }
        return null;
    }
}
