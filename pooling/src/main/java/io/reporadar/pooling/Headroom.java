package io.reporadar.pooling;

/**
 * How close the deployment's connections are to what the server admits, for health checks: the live
 * budget's requirement against what is available.
 *
 * <p>Immutable and thread-safe.
 */
public final class Headroom {

    /** From this share of the budget on, the headroom is {@link Level#NEAR_LIMIT}. */
    public static final double NEAR_LIMIT_RATIO = 0.9;

    /** The verdict a health check maps to UP, WARN and DOWN. */
    public enum Level {
        AMPLE,
        NEAR_LIMIT,
        EXCEEDED
    }

    private final Level level;
    private final double ratio;
    private final String detail;

    private Headroom(Level level, double ratio, String detail) {
        this.level = level;
        this.ratio = ratio;
        this.detail = detail;
    }

    static Headroom of(ConnectionBudget budget) {
        double ratio = budget.available() <= 0 ? Double.POSITIVE_INFINITY : (double) budget.required() / budget.available();
        Level level = !budget.fits() ? Level.EXCEEDED : ratio >= NEAR_LIMIT_RATIO ? Level.NEAR_LIMIT : Level.AMPLE;
        return new Headroom(level, ratio, budget.arithmetic());
    }

    public Level level() {
        return level;
    }

    /** Needed over available: 1.0 is exactly at the limit. */
    public double ratio() {
        return ratio;
    }

    /** The arithmetic behind the verdict. */
    public String detail() {
        return detail;
    }

    @Override
    public String toString() {
        return level + " (" + Math.round(ratio * 100) + "% of the budget): " + detail;
    }
}
