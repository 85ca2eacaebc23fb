package io.reporadar.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class HistoryTest {

    private final History history = new History();

    @Test
    void aHistoryWhereEveryReadSeesEveryAcknowledgedWriteIsClean() {
        write("a", 1);
        read("a", 1L);
        write("a", 2);
        long unknown = history.invoke("a", History.Kind.WRITE, 3L);
        history.unknown(unknown, "timeout");
        read("a", 3L); // an unknown write may have happened
        read("a", 3L);

        History.Report report = history.check();

        assertThat(report.clean()).as(report.toString()).isTrue();
        assertThat(report.operations()).isEqualTo(6);
        assertThat(report.unknown()).isEqualTo(1);
        assertThat(report.reasons()).containsExactly(java.util.Map.entry("WRITE timeout", 1L));
    }

    @Test
    void aLastReadBelowTheHighestAcknowledgedWriteIsALostWrite() {
        write("a", 1);
        write("a", 2);
        read("a", 1L);

        History.Report report = history.check();

        assertThat(report.lostWrites()).singleElement().asString().startsWith("a: last read 1").endsWith("2 was acknowledged");
        assertThat(report.staleReads()).singleElement().asString().contains("after 2 was acknowledged");
        assertThat(report.clean()).isFalse();
    }

    /** Campaign seed 3: 1,209 visits lost, then counted again on top of the old copy until the last read passed them. */
    @Test
    void anAcknowledgedWriteThatLaterWritesDoNotBuildOnIsLostEvenWhenTheCounterPassesIt() {
        write("a", 1);
        write("a", 2);
        write("a", 3);
        read("a", 1L); // a failover to a node that lacked 2 and 3
        write("a", 2);
        write("a", 3);
        write("a", 4);
        read("a", 4L);

        History.Report report = history.check();

        assertThat(report.lostWrites()).hasSize(2);
        assertThat(report.lostWrites().get(0)).startsWith("a: 2 acknowledged").endsWith("later writes went on from 2 or less");
        assertThat(report.lostWrites().get(1)).startsWith("a: 3 acknowledged").endsWith("later writes went on from 2 or less");
        assertThat(report.staleReads()).singleElement().asString().contains("read 1").contains("after 3 was acknowledged");
    }

    @Test
    void aReadThatFindsTheSessionAfterItsLogoutWasAcknowledgedIsAResurrection() {
        write("a", 1);
        long logout = history.invoke("a", History.Kind.LOGOUT, null);
        history.ok(logout, null);
        read("a", 1L);
        read("b", null);

        History.Report report = history.check();

        assertThat(report.resurrected()).singleElement().asString().startsWith("a: read 1");
        assertThat(report.lostWrites()).as("a logged-out session is not a lost write").isEmpty();
    }

    @Test
    void aReadThatOverlapsALogoutMaySeeEitherAndAFailedWriteCountsForNothing() {
        write("a", 1);
        long logout = history.invoke("a", History.Kind.LOGOUT, null);
        long read = history.invoke("a", History.Kind.READ, null);
        history.ok(read, null);
        history.ok(logout, null);
        long failed = history.invoke("b", History.Kind.WRITE, 5L);
        history.fail(failed, "refused");
        read("b", null);

        assertThat(history.check().clean()).isTrue();
    }

    @Test
    void theLongestTimeWithoutASuccessfulWriteRunsToTheEndOfTheHistory() throws InterruptedException {
        write("a", 1);
        Thread.sleep(30);
        read("a", 1L);

        History.Report report = history.check();

        assertThat(report.longestWithoutWrites()).isGreaterThanOrEqualTo(Duration.ofMillis(30));
        assertThat(report.longestWithoutReads()).isGreaterThanOrEqualTo(Duration.ofMillis(30));
    }

    private void write(String key, long value) {
        long op = history.invoke(key, History.Kind.WRITE, value);
        history.ok(op, value);
    }

    private void read(String key, @Nullable Long value) {
        long op = history.invoke(key, History.Kind.READ, null);
        history.ok(op, value);
    }
}
