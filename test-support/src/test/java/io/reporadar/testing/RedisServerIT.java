package io.reporadar.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reporadar.testing.internal.Resp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisServerIT {

    @Test
    void startsAPrivateServerOnAFreePortThatStoresData() {
        try (RedisServer redis = RedisServer.start()) {
            assertThat(Processes.expectedSource(redis.source())).as("source %s", redis.source()).isTrue();
            assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());
            assertThat(redis.call("SET", "greeting", "hello")).isEqualTo("OK");
            assertThat(redis.call("GET", "greeting")).isEqualTo("hello");
        }
    }

    @Test
    void appliesExtraConfigurationLines() {
        try (RedisServer redis = RedisServer.start("maxmemory 7mb")) {
            assertThat(redis.call("CONFIG", "GET", "maxmemory")).isEqualTo(java.util.List.of("maxmemory", "7340032"));
        }
    }

    @Test
    void killDropsConnectionsAndRestartComesBackOnTheSamePortEmpty() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            redis.call("SET", "k", "v");
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), redis.port())) {
                redis.kill();
                assertThat(redis.isRunning()).isFalse();
                client.setSoTimeout(2000);
                assertThat(writeAndReadOrEof(client)).as("the connection is dropped").isEqualTo(-1);
            }
            assertThatThrownBy(() -> redis.call("PING")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("PING failed");

            redis.restart();

            assertThat(redis.call("PING")).isEqualTo("PONG");
            assertThat(redis.call("GET", "k")).as("persistence is off: a killed server loses its data").isNull();
        }
    }

    @Test
    void freezeKeepsTheConnectionOpenButSilentUntilThaw() throws Exception {
        try (RedisServer redis = RedisServer.start(); Socket client = new Socket(InetAddress.getLoopbackAddress(), redis.port())) {
            client.setSoTimeout(700);
            OutputStream out = client.getOutputStream();
            InputStream in = client.getInputStream();

            redis.freeze();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);
            assertThat(redis.isRunning()).as("a frozen server is still alive").isTrue();

            redis.thaw();
            client.setSoTimeout(5000);
            assertThat(new String(in.readNBytes(7), StandardCharsets.US_ASCII)).isEqualTo("+PONG\r\n");
        }
    }

    @Test
    void stopEndsTheProcessAndCloseLeavesNothingBehind() {
        RedisServer redis = RedisServer.start();
        Path dir = redis.directory();
        if (dir != null) {
            assertThat(Processes.runningIn(dir)).hasSize(1);
        }
        redis.stop();
        assertThat(redis.isRunning()).isFalse();
        redis.close();
        if (dir != null) {
            assertThat(Processes.runningIn(dir)).isEmpty();
            assertThat(dir).doesNotExist();
        }
    }

    @Test
    void aFrozenServerStillStopsCleanly() {
        RedisServer redis = RedisServer.start();
        redis.freeze();
        redis.close();
        assertThat(redis.isRunning()).isFalse();
    }

    @Test
    void sharedServerIsOnePerJvm() {
        assertThat(RedisServer.shared()).isSameAs(RedisServer.shared());
        assertThat(RedisServer.shared().call("PING")).isEqualTo("PONG");
    }

    @Test
    void errorRepliesNameTheServerAndTheCommand() {
        try (RedisServer redis = RedisServer.start()) {
            assertThatThrownBy(() -> redis.call("NOSUCHCOMMAND"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("redis-server 127.0.0.1:" + redis.port() + ": NOSUCHCOMMAND failed: ERR unknown command")
                    .hasCauseInstanceOf(Resp.ErrorReply.class);
        }
    }

    /**
     * A dropped connection shows as a reset on the write or as EOF or a reset on the read: a server killed before it
     * accepted the connection (a busy machine) leaves it reset at once, and then the write fails.
     */
    private static int writeAndReadOrEof(Socket client) {
        try {
            client.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException reset) {
            return -1;
        }
        return readOrEof(client);
    }

    private static int readOrEof(Socket client) {
        try {
            return client.getInputStream().read();
        } catch (IOException reset) {
            return -1;
        }
    }
}
