package io.reporadar.spring.health;

import io.reporadar.health.CheckSpec;
import io.reporadar.health.Health;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.AdditionalPathsMapper;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.health.actuate.endpoint.AdditionalHealthEndpointPath;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.actuate.endpoint.HttpCodeStatusMapper;
import org.springframework.boot.health.actuate.endpoint.StatusAggregator;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Puts our checks into Actuator's probe groups by our groups: {@code /actuator/health/readiness} also answers for
 * the readiness checks (critical dependencies make it 503), {@code /actuator/health/liveness} for the liveness ones,
 * beside Boot's {@code readinessState} and {@code livenessState}.
 *
 * <p>Runs just before Boot's own probe post-processor: a probe group the application configured is widened (its
 * settings kept); one that does not exist yet is created as Boot creates it (its availability state, plus our checks),
 * and Boot then keeps it, adding {@code /livez} and {@code /readyz} when asked. The groups' additional paths are
 * passed through.
 */
@Order(Ordered.LOWEST_PRECEDENCE - 1) // before Boot's probe post-processor, which then keeps our probe groups
final class ProbeGroups implements HealthEndpointGroupsPostProcessor {

    private static final Map<String, String> STATES = Map.of(CheckSpec.LIVENESS, "livenessState", CheckSpec.READINESS, "readinessState");

    private final Health health;
    private final boolean probesEnabled;

    ProbeGroups(Health health, boolean probesEnabled) {
        this.health = health;
        this.probesEnabled = probesEnabled;
    }

    @Override
    public HealthEndpointGroups postProcessHealthEndpointGroups(HealthEndpointGroups groups) {
        Map<String, HealthEndpointGroup> widened = new HashMap<>();
        for (Map.Entry<String, String> probe : STATES.entrySet()) {
            Set<String> ours = CheckIndicators.members(health, probe.getKey());
            HealthEndpointGroup existing = groups.get(probe.getKey());
            if (existing != null) {
                widened.put(probe.getKey(), new Widened(existing, ours));
            } else if (probesEnabled) {
                widened.put(probe.getKey(), new Widened(new ProbeGroup(probe.getValue()), ours));
            }
        }
        return widened.isEmpty() ? groups : new Groups(groups, widened);
    }

    private record Groups(HealthEndpointGroups delegate, Map<String, HealthEndpointGroup> widened)
            implements HealthEndpointGroups, AdditionalPathsMapper {

        @Override
        public @Nullable List<String> getAdditionalPaths(EndpointId endpointId, WebServerNamespace webServerNamespace) {
            return delegate instanceof AdditionalPathsMapper mapper ? mapper.getAdditionalPaths(endpointId, webServerNamespace) : null;
        }

        @Override
        public HealthEndpointGroup getPrimary() {
            return delegate.getPrimary();
        }

        @Override
        public Set<String> getNames() {
            Set<String> names = new java.util.LinkedHashSet<>(delegate.getNames());
            names.addAll(widened.keySet());
            return names;
        }

        @Override
        public @Nullable HealthEndpointGroup get(String name) {
            HealthEndpointGroup group = widened.get(name);
            return group != null ? group : delegate.get(name);
        }
    }

    /** A group that also counts our checks as members. */
    private record Widened(HealthEndpointGroup delegate, Set<String> ours) implements HealthEndpointGroup {
        @Override
        public boolean isMember(String name) {
            return ours.contains(name) || delegate.isMember(name);
        }

        @Override
        public boolean showComponents(SecurityContext securityContext) {
            return delegate.showComponents(securityContext);
        }

        @Override
        public boolean showDetails(SecurityContext securityContext) {
            return delegate.showDetails(securityContext);
        }

        @Override
        public StatusAggregator getStatusAggregator() {
            return delegate.getStatusAggregator();
        }

        @Override
        public HttpCodeStatusMapper getHttpCodeStatusMapper() {
            return delegate.getHttpCodeStatusMapper();
        }

        @Override
        public @Nullable AdditionalHealthEndpointPath getAdditionalPath() {
            return delegate.getAdditionalPath();
        }
    }

    /** The probe group as Boot creates it when the application configured none: its state, no details. */
    private record ProbeGroup(String state) implements HealthEndpointGroup {
        @Override
        public boolean isMember(String name) {
            return name.equals(state);
        }

        @Override
        public boolean showComponents(SecurityContext securityContext) {
            return false;
        }

        @Override
        public boolean showDetails(SecurityContext securityContext) {
            return false;
        }

        @Override
        public StatusAggregator getStatusAggregator() {
            return StatusAggregator.getDefault();
        }

        @Override
        public HttpCodeStatusMapper getHttpCodeStatusMapper() {
            return HttpCodeStatusMapper.DEFAULT;
        }

        @Override
        public @Nullable AdditionalHealthEndpointPath getAdditionalPath() {
            return null;
        }
    }
}
