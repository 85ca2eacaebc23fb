package io.reporadar.spring.health;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code reporadar.health.*}: the instance's background checks in Actuator, and the drain at shutdown. */
@ConfigurationProperties("reporadar.health")
public class InstanceHealthProperties {

    /** Whether the starter runs our checks, contributes them to Actuator and drains at shutdown. */
    private boolean enabled = true;

    /**
     * How long the instance keeps serving after its readiness turned 503 at shutdown, before Boot's own graceful
     * shutdown stops taking requests: long enough for the load balancer's probes to notice, such as 10s
     * (DRAIN_DELAY; default 10s). Must be shorter than spring.lifecycle.timeout-per-shutdown-phase.
     */
    private @Nullable String drainDelay;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public @Nullable String getDrainDelay() {
        return drainDelay;
    }

    public void setDrainDelay(@Nullable String drainDelay) {
        this.drainDelay = drainDelay;
    }
}
