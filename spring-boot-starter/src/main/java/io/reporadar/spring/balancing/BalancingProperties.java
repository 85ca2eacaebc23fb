package io.reporadar.spring.balancing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code reporadar.balancing.*}: the services a balanced client calls by name, and their instances.
 *
 * <pre>
 * reporadar.balancing.services.catalog.instances=http://10.0.0.1:8080,http://10.0.0.2:8080 weight=2
 * reporadar.balancing.services.catalog.strategy=p2c
 * </pre>
 */
@ConfigurationProperties("reporadar.balancing")
public class BalancingProperties {

    /** Whether RestClients built from Boot's builder balance requests to the services below. */
    private boolean enabled = true;

    /** The services by name: a request for http://&lt;name&gt;/path goes to one of the service's instances. */
    private Map<String, Service> services = new LinkedHashMap<>();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Map<String, Service> getServices() {
        return services;
    }

    public void setServices(Map<String, Service> services) {
        this.services = services;
    }

    /** One service: its instances, the strategy that picks among them, and how often a request may be tried. */
    public static class Service {

        /**
         * The instances, as http or https URLs with a port, optionally followed by an nginx-style weight:
         * "http://10.0.0.1:8080", "https://10.0.0.2:8443 weight=2".
         */
        private List<String> instances = new ArrayList<>();

        /**
         * The balancing strategy: round_robin, least_conn, p2c, peak_ewma, random, ip_hash, ip_hash_full,
         * hash_consistent or maglev (hyphens work too).
         */
        private String strategy = "least_conn";

        /**
         * Attempts per request, the first included: an idempotent request (GET, HEAD, PUT, DELETE, OPTIONS, TRACE)
         * that met a refused connection or a 503 is sent to another instance, up to this many in all.
         */
        private int maxAttempts = 2;

        /** Active health checks of the instances (plain http only). */
        private HealthCheck healthCheck = new HealthCheck();

        public List<String> getInstances() {
            return instances;
        }

        public void setInstances(List<String> instances) {
            this.instances = instances;
        }

        public String getStrategy() {
            return strategy;
        }

        public void setStrategy(String strategy) {
            this.strategy = strategy;
        }

        public int getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        public HealthCheck getHealthCheck() {
            return healthCheck;
        }

        public void setHealthCheck(HealthCheck healthCheck) {
            this.healthCheck = healthCheck;
        }
    }

    /** Active health checks: a GET of each instance's path every interval; 2 successes in a row bring it back, 3 failures take it out. */
    public static class HealthCheck {

        /** Whether each instance's readiness path is polled. */
        private boolean enabled;

        /** The path polled on each instance; a 2xx answer is a success. */
        private String path = "/health/ready";

        /** Time between two checks of an instance (± 10 %). */
        private Duration interval = Duration.ofSeconds(5);

        /** Time a check may take. */
        private Duration timeout = Duration.ofSeconds(1);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getPath() {
            return path;
        }

        public void setPath(String path) {
            this.path = path;
        }

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }
    }
}
