package io.reporadar.health.dashboard;

import io.reporadar.health.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The whole deployment at one instant, as the dashboard shows it: every instance a registry knows (those silent for
 * longer than {@code heartbeatTimeout}, or stopped, shown as gone) and the deployment's own sections (the
 * connection budget, Redis, the Sentinels, the job queue), each a titled list of figures.
 *
 * <p>Immutable and thread-safe.
 *
 * @param time             when the view was put together
 * @param instances        every instance the registry knows, sorted by id
 * @param heartbeatTimeout silent for longer than this, an instance is gone
 * @param sections         the deployment's figures, in display order
 */
public record DeploymentView(Instant time, List<InstanceReport> instances, Duration heartbeatTimeout, List<Section> sections) {

    /** A titled list of figures; {@code status} colours it (UP for a section with nothing to judge). */
    public record Section(String title, Status status, Map<String, String> rows) {
        public Section {
            Objects.requireNonNull(title, "title");
            Objects.requireNonNull(status, "status");
            rows = Collections.unmodifiableMap(new LinkedHashMap<>(rows));
        }
    }

    public DeploymentView {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(heartbeatTimeout, "heartbeatTimeout");
        instances = instances.stream().sorted(Comparator.comparing(InstanceReport::id)).toList();
        sections = List.copyOf(sections);
    }

    /** Whether the instance is gone: stopped, or silent for longer than the heartbeat timeout. */
    public boolean gone(InstanceReport instance) {
        return instance.lifecycle().equals("STOPPED") || instance.ageMillis() > heartbeatTimeout.toMillis();
    }

    /** The instances still there. */
    public List<InstanceReport> live() {
        return instances.stream().filter(instance -> !gone(instance)).toList();
    }

    /**
     * The deployment's readiness: DOWN when no live instance takes traffic, WARN when some instance in service
     * (lifecycle READY) does not, UP when every one does. Starting and draining instances count for neither.
     */
    public Status readiness() {
        List<InstanceReport> inService = live().stream().filter(instance -> instance.lifecycle().equals("READY")).toList();
        long ready = inService.stream().filter(instance -> takesTraffic(instance.readiness())).count();
        if (ready == 0) {
            return Status.DOWN;
        }
        return ready == inService.size() ? Status.UP : Status.WARN;
    }

    private static boolean takesTraffic(String status) {
        try {
            return Status.valueOf(status).acceptsTraffic();
        } catch (IllegalArgumentException unknown) {
            return false;
        }
    }
}
