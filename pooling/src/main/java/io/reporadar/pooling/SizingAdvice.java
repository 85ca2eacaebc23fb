package io.reporadar.pooling;

/**
 * Advice on {@code DB_POOL_MAX}, never enforced: what the pool really used, and two rules to weigh it against.
 *
 * <ul>
 *   <li><b>Little's law</b>: connections in use on average = arrival rate x time held. The pool measures the
 *       left-hand side directly by sampling its busy connections, so the mean and the peak are observed, not
 *       assumed; the suggestion is the peak plus 25 % for bursts.</li>
 *   <li><b>Cores x 2 + spindles</b> (HikariCP's "About Pool Sizing"): a sanity bound for the whole database
 *       server, split here between the instances; given only when the database's core count is known.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class SizingAdvice {

    private final int samples;
    private final double meanInUse;
    private final int peakInUse;
    private final int currentMax;
    private final int instances;
    private final int databaseCores;
    private final int spindles;

    SizingAdvice(int samples, double meanInUse, int peakInUse, int currentMax, int instances, int databaseCores, int spindles) {
        this.samples = samples;
        this.meanInUse = meanInUse;
        this.peakInUse = peakInUse;
        this.currentMax = currentMax;
        this.instances = instances;
        this.databaseCores = databaseCores;
        this.spindles = spindles;
    }

    /** Computes the advice from samples of connections in use; {@code databaseCores} 0 when unknown. */
    static SizingAdvice from(int[] inUse, int count, int currentMax, int instances, int databaseCores, int spindles) {
        long sum = 0;
        int peak = 0;
        for (int i = 0; i < count; i++) {
            sum += inUse[i];
            peak = Math.max(peak, inUse[i]);
        }
        return new SizingAdvice(count, count == 0 ? 0 : (double) sum / count, peak, currentMax, instances, databaseCores, spindles);
    }

    /** How many samples (one a second) the advice rests on. */
    public int samples() {
        return samples;
    }

    /** Mean connections in use: Little's L, observed. */
    public double meanInUse() {
        return meanInUse;
    }

    public int peakInUse() {
        return peakInUse;
    }

    /** The observed peak plus 25 %, at least 1: a pool this size would have served every sample. */
    public int suggestedMax() {
        return Math.max(1, (int) Math.ceil(peakInUse * 1.25));
    }

    /** {@code (cores x 2 + spindles) / instances}, or 0 when the database's core count is unknown. */
    public int ruleOfThumbPerInstance() {
        return databaseCores <= 0 ? 0 : Math.max(1, (databaseCores * 2 + spindles) / Math.max(1, instances));
    }

    @Override
    public String toString() {
        if (samples == 0) {
            return "no usage observed yet";
        }
        StringBuilder advice = new StringBuilder()
                .append(String.format(java.util.Locale.ROOT, "over %d s: %.1f connections in use on average, %d at peak, of DB_POOL_MAX %d;"
                        + " suggested DB_POOL_MAX %d (peak + 25%%)", samples, meanInUse, peakInUse, currentMax, suggestedMax()));
        if (databaseCores > 0) {
            advice.append("; cores x 2 + spindles = ").append(databaseCores * 2 + spindles).append(" for the server, ")
                    .append(ruleOfThumbPerInstance()).append(" per instance");
        }
        if (currentMax > 2 * suggestedMax()) {
            advice.append("; DB_POOL_MAX is more than twice what was used: the surplus only reserves server slots");
        }
        return advice.toString();
    }
}
