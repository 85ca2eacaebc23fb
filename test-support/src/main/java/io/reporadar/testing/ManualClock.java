package io.reporadar.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that moves only when a test says so, for timeouts and expiry: pass it where code takes a
 * {@link Clock}, then {@link #advance} it. Starts at 2026-11-25T12:00:00Z, in UTC. Thread-safe.
 */
public final class ManualClock extends Clock {

    private volatile Instant now = Instant.parse("2026-11-25T12:00:00Z");

    /** Moves the clock forward (or back, with a negative duration). */
    public synchronized void advance(Duration duration) {
        now = now.plus(duration);
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
