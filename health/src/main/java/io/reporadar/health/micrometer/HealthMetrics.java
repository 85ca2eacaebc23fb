package io.reporadar.health.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.reporadar.health.CheckStatus;
import io.reporadar.health.Health;
import io.reporadar.health.HealthListener;
import io.reporadar.health.Lifecycle;
import io.reporadar.health.Result;
import io.reporadar.health.Status;
import java.util.Locale;

/**
 * Micrometer meters for a {@link Health}.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><td>{@code reporadar.health.status}</td><td>a state set per {@code check} and per {@code group}: 1 for the
 *       current {@code status} ({@code up}, {@code warn}, {@code unknown}, {@code down}, {@code out_of_service}),
 *       0 for the others</td></tr>
 *   <tr><td>{@code reporadar.health.check.duration}</td><td>timer per {@code check} and {@code outcome}
 *       (the raw status of the run)</td></tr>
 *   <tr><td>{@code reporadar.health.check.timeouts}</td><td>runs that outlived their timeout, per {@code check}</td></tr>
 *   <tr><td>{@code reporadar.health.check.transitions}</td><td>status changes per {@code check} and {@code to}</td></tr>
 *   <tr><td>{@code reporadar.health.lifecycle}</td><td>1 for the current {@code state}, 0 for the others</td></tr>
 * </table>
 *
 * <p>Tag values are bounded: check and group names, status and lifecycle names. Thread-safe.
 */
public final class HealthMetrics implements MeterBinder {

    private final Health health;

    public HealthMetrics(Health health) {
        this.health = health;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (Status status : Status.values()) {
            Tags state = Tags.of("status", status.name().toLowerCase(Locale.ROOT));
            for (String check : health.checkNames()) {
                Gauge.builder("reporadar.health.status", health, h -> statusOf(h, check) == status ? 1 : 0)
                        .description("1 for the check's or group's current status").tags(state.and("check", check)).register(registry);
            }
            for (String group : health.snapshot().groups().keySet()) {
                Gauge.builder("reporadar.health.status", health, h -> h.snapshot().group(group) == status ? 1 : 0)
                        .description("1 for the check's or group's current status").tags(state.and("group", group)).register(registry);
            }
        }
        for (Lifecycle state : Lifecycle.values()) {
            Gauge.builder("reporadar.health.lifecycle", health, h -> h.lifecycle() == state ? 1 : 0)
                    .description("1 for the instance's lifecycle state")
                    .tags("state", state.name().toLowerCase(Locale.ROOT)).register(registry);
        }
        health.addListener(new HealthListener() {
            @Override
            public void onRun(String check, Result raw) {
                Timer.builder("reporadar.health.check.duration").description("How long a check run took")
                        .tags("check", check, "outcome", raw.status().name().toLowerCase(Locale.ROOT))
                        .register(registry).record(raw.duration());
                if ("timeout".equals(raw.reason()) && raw.status() == Status.DOWN) {
                    Counter.builder("reporadar.health.check.timeouts").description("Check runs that outlived their timeout")
                            .tags("check", check).register(registry).increment();
                }
            }

            @Override
            public void onTransition(String check, Status from, Status to, Result result) {
                Counter.builder("reporadar.health.check.transitions").description("Changes of a check's reported status")
                        .tags("check", check, "to", to.name().toLowerCase(Locale.ROOT)).register(registry).increment();
            }
        });
    }

    private static Status statusOf(Health health, String check) {
        for (CheckStatus status : health.snapshot().checks()) {
            if (status.name().equals(check)) {
                return status.status();
            }
        }
        return Status.UNKNOWN;
    }
}
