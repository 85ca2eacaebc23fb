package io.reporadar.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class RedisExtensionIT {

    @Nested
    @Order(1)
    @ExtendWith(RedisExtension.class)
    class SharedServer {

        @BeforeAll
        static void leaveAKeyBehind(RedisServer redis) {
            redis.call("SET", "left-by-an-earlier-class", "x");
        }

        @Test
        void isInjectedAndFlushedBeforeTheNextClass(RedisServer redis) {
            assertThat(redis).isSameAs(RedisServer.shared());
            assertThat(redis.call("EXISTS", "left-by-an-earlier-class")).isEqualTo(1L);
        }
    }

    @Nested
    @Order(2)
    class TheNextClassOnTheSharedServer {

        @RegisterExtension
        static final RedisExtension redis = RedisExtension.shared();

        @Test
        void startsWithAnEmptyServer() {
            assertThat(redis.server().call("DBSIZE")).isEqualTo(0L);
        }
    }

    @Nested
    @Order(3)
    class PrivateServer {

        @RegisterExtension
        static final RedisExtension redis = RedisExtension.perClass("maxmemory 3mb");

        @Test
        void isItsOwnServerWithItsConfigurationAndFaultHandles() {
            assertThat(redis.server()).isNotSameAs(RedisServer.shared());
            assertThat(redis.server().call("CONFIG", "GET", "maxmemory")).isEqualTo(java.util.List.of("maxmemory", "3145728"));
            redis.server().kill();
            redis.server().restart();
            assertThat(redis.server().call("PING")).isEqualTo("PONG");
        }
    }
}
