package io.reporadar.session;

import org.jspecify.annotations.Nullable;

/**
 * The fence on a master that a quorum of Sentinels consider down ({@code +odown}): saves must not use it until the
 * store follows another master or the Sentinels clear it. Set on Lettuce's event loop, cleared on the failover
 * thread; a clear decided on Sentinel answers older than the last {@code +odown} does not lift it (found by
 * review: a fence could otherwise be lifted on a master a quorum had just held down again). Thread-safe; the lock
 * is never held across a network call, so the event loop never waits on one.
 */
final class MasterFence {

    private final Object lock = new Object();
    /** The fenced master (host:port), or null for none. */
    private volatile @Nullable String fenced;
    /** How many {@code +odown} messages arrived; guarded by {@link #lock}. */
    private long odowns;

    /** Whether {@code master} is fenced. */
    boolean holds(@Nullable String master) {
        String down = fenced;
        return down != null && down.equals(master);
    }

    /** The fenced master, or null. */
    @Nullable String fenced() {
        return fenced;
    }

    /** A {@code +odown} for {@code down}; fences it when it is {@code master}. Returns whether it was not fenced before. */
    boolean odown(String down, @Nullable String master) {
        synchronized (lock) {
            odowns++;
            if (!down.equals(master) || down.equals(fenced)) {
                return false;
            }
            fenced = down;
            return true;
        }
    }

    /** What {@link #clear} is given: the {@code +odown} messages seen before the clearing check asked the Sentinels. */
    long epoch() {
        synchronized (lock) {
            return odowns;
        }
    }

    /** Lifts the fence on {@code down}, unless a {@code +odown} arrived since {@code epoch}; returns whether it did. */
    boolean clear(String down, long epoch) {
        synchronized (lock) {
            if (odowns != epoch || !down.equals(fenced)) {
                return false;
            }
            fenced = null;
            return true;
        }
    }

    @Override
    public String toString() {
        String down = fenced;
        return down == null ? "MasterFence[none]" : "MasterFence[" + down + "]";
    }
}
