package io.reporadar.pooling;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConnectionRefusalTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "FATAL: sorry, too many clients already | SERVER_FULL",
        "FATAL: remaining connection slots are reserved for non-replication superuser connections | RESERVED_SLOTS",
        "FATAL: remaining connection slots are reserved for roles with the SUPERUSER attribute | RESERVED_SLOTS",
        "FATAL: remaining connection slots are reserved for roles with privileges of the \"pg_use_reserved_connections\" role | RESERVED_SLOTS",
        "FATAL: remaining connection slots are reserved for non-replication superuser, rds_reserved, and rds_superuser connections | RESERVED_SLOTS",
        "FATAL: too many connections for role \"app\" | ROLE_LIMIT",
        "FATAL: too many connections for database \"reporadar\" | DATABASE_LIMIT",
        "FATAL: some vendor's own wording | SERVER_FULL",
    })
    void classifiesEveryVariantOfSqlstate53300(String message, ConnectionRefusal expected) {
        assertThat(ConnectionRefusal.classify(new SQLException(message, "53300"))).hasValue(expected);
        assertThat(expected.refusedByServer()).isTrue();
    }

    @Test
    void looksThroughHikarisWrapping() {
        SQLException refusal = new SQLException("FATAL: too many connections for role \"app\"", "53300");
        SQLTransientConnectionException hikari = new SQLTransientConnectionException(
                "reporadar/1 - Connection is not available, request timed out after 5000ms (total=0, active=0, idle=0, waiting=0)",
                "53300", refusal);
        hikari.setNextException(refusal);

        assertThat(ConnectionRefusal.classify(hikari)).hasValue(ConnectionRefusal.ROLE_LIMIT);
    }

    @Test
    void aTimeoutWithoutARefusalIsPoolExhaustion() {
        SQLTransientConnectionException hikari = new SQLTransientConnectionException(
                "reporadar/1 - Connection is not available, request timed out after 5000ms (total=5, active=5, idle=0, waiting=3)");

        assertThat(ConnectionRefusal.classify(hikari)).hasValue(ConnectionRefusal.POOL_EXHAUSTED);
        assertThat(ConnectionRefusal.POOL_EXHAUSTED.refusedByServer()).isFalse();
    }

    @Test
    void otherFailuresAreNotRefusals() {
        assertThat(ConnectionRefusal.classify(new SQLException("password authentication failed", "28P01"))).isEmpty();
        assertThat(ConnectionRefusal.classify(new IllegalStateException("x"))).isEmpty();
    }
}
