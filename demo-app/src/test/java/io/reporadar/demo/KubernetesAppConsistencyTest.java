package io.reporadar.demo;

import static io.reporadar.demo.KubernetesManifestsTest.find;
import static io.reporadar.demo.KubernetesManifestsTest.render;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.RedisURI;
import io.reporadar.health.DetailsPolicy;
import io.reporadar.health.GracefulShutdown;
import io.reporadar.health.Health;
import io.reporadar.health.HealthEndpoints;
import io.reporadar.pooling.ConnectionBudget;
import io.reporadar.pooling.PoolSettings;
import io.reporadar.session.SessionCodec;
import io.reporadar.session.SessionStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code deploy/kubernetes} agrees with the application it runs: the probes' paths and port, the variables (names the
 * service reads, values it accepts), the drain arithmetic, the connection budget at the autoscaler's maximum (the
 * pooling module's own arithmetic), the Ingress's retries against {@link NginxConfig}'s, and the secrets. No cluster is
 * needed; {@link KubernetesManifestsTest} checks the objects against the Kubernetes API.
 */
class KubernetesAppConsistencyTest {

    /** The least time left between the end of the application's longest stop and SIGKILL. */
    private static final Duration STOP_MARGIN = Duration.ofSeconds(5);
    /** A pod name as a ReplicaSet of the Deployment "reporadar" gives it (the longest hash Kubernetes makes). */
    private static final String POD_NAME = "reporadar-7c9f8d7b5f-x2x9q";
    /** Values of the form the service accepts, standing in for the Secret's (which the test never sees). */
    private static final Map<String, String> SECRET_VALUES = Map.of(
            "DATABASE_URL", "postgresql://reporadar:db-secret@postgres:5432/reporadar",
            "REDIS_URL", "redis://:redis-secret@redis:6379",
            "REDIS_PASSWORD", "redis-secret",
            "REDIS_SENTINEL_PASSWORD", "sentinel-secret",
            "SESSION_SECRET", "s".repeat(48),
            "SESSION_ENCRYPTION_KEY", "0123456789abcdef".repeat(4));
    private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    @ParameterizedTest(name = "overlay {0}")
    @ValueSource(strings = {"standard", "ha"})
    void theProbesAskTheServicesHealthEndpointsOnItsPort(String overlay) throws IOException {
        List<ObjectNode> objects = render(overlay);
        JsonNode container = container(objects);
        DemoConfig config = DemoConfig.fromEnvironment(environment(container));
        assertThat(container.at("/ports/0/name").asText()).isEqualTo("http");
        assertThat(container.at("/ports/0/containerPort").asInt()).as("the PORT the service listens on").isEqualTo(config.port());
        assertThat(container.at("/startupProbe/httpGet/path").asText()).isEqualTo("/health/startup");
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/health/ready");
        assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/health/live");
        try (Health health = Health.builder().build()) {
            health.start();
            health.markReady();
            HealthEndpoints endpoints = HealthEndpoints.of(health, DetailsPolicy.never());
            for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
                JsonNode get = container.path(probe).path("httpGet");
                assertThat(get.path("port").asText()).as(probe + "'s port").isEqualTo("http");
                assertThat(endpoints.handle(HealthEndpoints.Request.of("GET", get.path("path").asText())).status())
                        .as(probe + " " + get.path("path").asText() + " on a ready instance").isEqualTo(200);
            }
        }
        JsonNode service = find(objects, "Service/reporadar");
        assertThat(service.at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
        assertThat(service.at("/spec/selector")).isEqualTo(find(objects, "Deployment/reporadar").at("/spec/selector/matchLabels"));
    }

    @ParameterizedTest(name = "overlay {0}")
    @ValueSource(strings = {"standard", "ha"})
    void everyVariableIsOneTheServiceReadsWithAValueItAccepts(String overlay) throws IOException {
        JsonNode container = container(render(overlay));
        Map<String, String> environment = environment(container);
        ReadVariables read = new ReadVariables(environment);
        DemoConfig config = DemoConfig.fromEnvironment(read);
        assertThat(config.instanceId()).as("INSTANCE_ID, the pod's name").isEqualTo(POD_NAME);
        PoolSettings.fromEnvironment(read);
        // The session store would connect once its variables are read and checked: a value it refuses stops it there,
        // and the message then lists every refused value, which must be that one alone.
        assertThat(environment).doesNotContainKey("USE_REDIS_SESSIONS");
        read.put("USE_REDIS_SESSIONS", "perhaps");
        assertThatThrownBy(() -> SessionStores.fromEnvironment(read, SessionCodec.allowing()))
                .hasMessage("invalid session configuration: USE_REDIS_SESSIONS: perhaps (expected: true or false)");

        Set<String> referenced = new TreeSet<>();
        container.path("env").forEach(v -> REFERENCE.matcher(v.path("value").asText()).results().forEach(m -> referenced.add(m.group(1))));
        Set<String> unread = new TreeSet<>(environment.keySet());
        unread.removeAll(read.names);
        unread.removeAll(referenced);
        assertThat(unread).as("variables that neither DemoConfig, PoolSettings nor SessionStores reads").isEmpty();
        assertThat(variables(container).path("INSTANCE_ID").at("/valueFrom/fieldRef/fieldPath").asText()).as("INSTANCE_ID from the downward API").isEqualTo("metadata.name");
    }

    @ParameterizedTest(name = "overlay {0}")
    @ValueSource(strings = {"standard", "ha"})
    void secretsAreReferencedNeverInlined(String overlay) throws IOException {
        JsonNode byName = variables(container(render(overlay)));
        for (String secret : SECRET_VALUES.keySet()) {
            JsonNode variable = byName.get(secret);
            if (variable == null) {
                continue;
            }
            if (variable.has("value")) {
                // A URL may name its host in the manifest; its password then comes from a variable read from the Secret.
                assertThat(variable.path("value").asText()).as(secret).containsPattern(":\\$\\(([A-Z_]+)\\)@");
                Matcher password = REFERENCE.matcher(variable.path("value").asText());
                assertThat(password.find()).isTrue();
                JsonNode holder = byName.get(password.group(1));
                assertThat(holder == null ? "" : holder.at("/valueFrom/secretKeyRef/name").asText()).as(password.group(1) + " from the Secret")
                        .isEqualTo("reporadar");
            } else {
                assertThat(variable.at("/valueFrom/secretKeyRef/name").asText()).as(secret + " from the Secret").isEqualTo("reporadar");
                assertThat(variable.at("/valueFrom/secretKeyRef/key").asText()).as(secret + "'s key").isEqualTo(secret);
            }
        }
        for (String required : List.of("DATABASE_URL", "REDIS_URL", "SESSION_SECRET", "SESSION_ENCRYPTION_KEY")) {
            assertThat(byName.has(required)).as(required).isTrue();
        }
    }

    @Test
    void theHaOverlayFollowsTheSentinelsAsTheComposeFileDoes() throws IOException {
        JsonNode standard = variables(container(render("standard")));
        List<ObjectNode> ha = render("ha");
        JsonNode variables = variables(container(ha));
        assertThat(standard.path("REDIS_URL").at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("REDIS_URL");
        assertThat(standard.has("REDIS_SENTINEL_PASSWORD") || standard.has("SESSION_DURABILITY")).as("standard: no Sentinels").isFalse();

        RedisURI url = RedisURI.create(environment(container(ha)).get("REDIS_URL"));
        assertThat(url.getSentinels()).as("the Sentinels REDIS_URL names").hasSize(3).allMatch(sentinel -> sentinel.getPort() == 26379);
        assertThat(url.getSentinelMasterId()).isEqualTo("reporadar-master");
        String compose = Files.readString(Path.of("..", "docker", "docker-compose.ha.yml"));
        assertThat(compose).contains("#" + url.getSentinelMasterId(), "SESSION_DURABILITY: " + variables.path("SESSION_DURABILITY").path("value").asText());
        assertThat(variables.path("SESSION_DURABILITY").path("value").asText()).isEqualTo("replica-required");
        assertThat(variables.path("REDIS_SENTINEL_PASSWORD").at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("REDIS_SENTINEL_PASSWORD");
        assertThat(find(ha, "HorizontalPodAutoscaler/reporadar").at("/spec/minReplicas").asInt()).as("ha: instances at least").isEqualTo(3);
    }

    @ParameterizedTest(name = "overlay {0}")
    @ValueSource(strings = {"standard", "ha"})
    void theGracePeriodCoversThePreStopPauseTheDrainAndTheRequestsInFlight(String overlay) throws IOException {
        JsonNode deployment = find(render(overlay), "Deployment/reporadar");
        JsonNode container = container(render(overlay));
        Duration preStop = Duration.ofSeconds(container.at("/lifecycle/preStop/sleep/seconds").asLong());
        Duration drainDelay = DemoConfig.fromEnvironment(environment(container)).drainDelay();
        Duration needed = preStop.plus(drainDelay).plus(GracefulShutdown.ACCEPTED_GRACE).plus(GracefulShutdown.DEFAULT_DRAIN_TIMEOUT)
                .plus(DemoApp.STOP_TIMEOUT).plus(STOP_MARGIN);
        Duration grace = Duration.ofSeconds(deployment.at("/spec/template/spec/terminationGracePeriodSeconds").asLong());
        assertThat(preStop).as("the preStop pause").isPositive();
        assertThat(grace).as("terminationGracePeriodSeconds %d s against preStop %d s + DRAIN_DELAY %d ms + accepted connections %d ms"
                + " + requests in flight %d s + Jetty's stop %d s + margin %d s", grace.toSeconds(), preStop.toSeconds(), drainDelay.toMillis(),
                GracefulShutdown.ACCEPTED_GRACE.toMillis(), GracefulShutdown.DEFAULT_DRAIN_TIMEOUT.toSeconds(), DemoApp.STOP_TIMEOUT.toSeconds(),
                STOP_MARGIN.toSeconds()).isGreaterThanOrEqualTo(needed);
    }

    @ParameterizedTest(name = "overlay {0}")
    @ValueSource(strings = {"standard", "ha"})
    void theAutoscalersMaximumFitsTheDatabasesConnections(String overlay) throws IOException {
        List<ObjectNode> objects = render(overlay);
        Map<String, String> environment = environment(container(objects));
        JsonNode autoscaler = find(objects, "HorizontalPodAutoscaler/reporadar");
        assertThat(autoscaler.at("/spec/scaleTargetRef/name").asText()).isEqualTo("reporadar");
        assertThat(environment.get("INSTANCE_COUNT")).as("INSTANCE_COUNT, which the service's own start-up check reads")
                .isEqualTo(autoscaler.at("/spec/maxReplicas").asText());
        assertThat(environment.get("INSTANCE_SURGE")).as("INSTANCE_SURGE").isEqualTo(
                find(objects, "Deployment/reporadar").at("/spec/strategy/rollingUpdate/maxSurge").asText());
        assertThat(budgetProblem(objects)).isNull();
    }

    @Test
    void anAutoscalerMaximumBeyondTheDatabasesConnectionsFailsWithTheArithmetic() throws IOException {
        List<ObjectNode> objects = render("ha");
        ((ObjectNode) find(objects, "HorizontalPodAutoscaler/reporadar").path("spec")).put("maxReplicas", 12);

        assertThat(budgetProblem(objects)).isEqualTo("HorizontalPodAutoscaler/reporadar maxReplicas 12 does not fit: (INSTANCE_COUNT 12"
                + " + INSTANCE_SURGE 1) x DB_POOL_MAX 10 + DB_OTHER_POOLS 0 = 130 needed, but DB_MAX_CONNECTIONS 100"
                + " - superuser_reserved_connections 3 (PostgreSQL's default) - DB_RESERVED_CONNECTIONS 3 = 94 available");
    }

    @Test
    void theIngressRetriesAsTheRenderedNginxConfDoes() throws IOException {
        List<ObjectNode> objects = render("standard");
        String nginx = NginxConfig.file(false);
        for (String name : List.of("Ingress/reporadar", "Ingress/reporadar-api")) {
            JsonNode annotations = find(objects, name).at("/metadata/annotations");
            assertThat(annotation(annotations, "proxy-next-upstream")).as(name).isEqualTo(directive(nginx, "proxy_next_upstream"));
            assertThat(annotation(annotations, "proxy-next-upstream-tries")).as(name).isEqualTo(directive(nginx, "proxy_next_upstream_tries"));
            assertThat(annotation(annotations, "proxy-next-upstream-timeout") + "s").as(name).isEqualTo(directive(nginx, "proxy_next_upstream_timeout"));
            assertThat(annotation(annotations, "proxy-connect-timeout") + "s").as(name).isEqualTo(directive(nginx, "proxy_connect_timeout"));
            assertThat(annotation(annotations, "proxy-read-timeout") + "s").as(name).isEqualTo(directive(nginx, "proxy_read_timeout"));
            assertThat(annotation(annotations, "proxy-body-size")).as(name).isEqualTo(directive(nginx, "client_max_body_size"));
        }
        JsonNode api = find(objects, "Ingress/reporadar-api");
        assertThat(api.at("/spec/rules/0/http/paths/0/path").asText()).isEqualTo("/api/");
        int rate = Integer.parseInt(annotation(api.at("/metadata/annotations"), "limit-rps"));
        int burst = rate * Integer.parseInt(annotation(api.at("/metadata/annotations"), "limit-burst-multiplier"));
        assertThat(nginx).contains("rate=" + rate + "r/s;", "limit_req zone=api burst=" + burst + " nodelay;");

        JsonNode internal = find(objects, "Ingress/reporadar-internal");
        assertThat(annotation(internal.at("/metadata/annotations"), "allowlist-source-range")).isEqualTo("127.0.0.1/32");
        assertThat(annotation(internal.at("/metadata/annotations"), "use-regex")).isEqualTo("true");
        // As ingress-nginx matches a path with use-regex: ~* "^PATH", case-insensitive, on the decoded URI.
        Pattern refused = Pattern.compile("^" + internal.at("/spec/rules/0/http/paths/0/path").asText(), Pattern.CASE_INSENSITIVE);
        assertThat(List.of("/metrics", "/METRICS", "/metrics;x", "/metrics/", "/health/backend", "/Health/Backend?fresh"))
                .allMatch(path -> refused.matcher(path).find());
        assertThat(List.of("/health", "/health/ready", "/health/live", "/api/watchlist", "/")).noneMatch(path -> refused.matcher(path).find());
    }

    @ParameterizedTest(name = "overlay {0}")
    @ValueSource(strings = {"standard", "ha"})
    void thePodsRunAsTheImagesUserWithARootFileSystemTheyCannotWrite(String overlay) throws IOException {
        List<ObjectNode> objects = render(overlay);
        JsonNode pod = find(objects, "Deployment/reporadar").at("/spec/template/spec");
        JsonNode container = container(objects);
        Matcher user = Pattern.compile("(?m)^USER (\\d+):(\\d+)$").matcher(Files.readString(Path.of("..", "docker", "Dockerfile")));
        assertThat(user.find()).as("docker/Dockerfile names its user by number").isTrue();
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.at("/securityContext/runAsUser").asText()).isEqualTo(user.group(1));
        assertThat(pod.at("/securityContext/runAsGroup").asText()).isEqualTo(user.group(2));
        assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(container.at("/securityContext/allowPrivilegeEscalation").isBoolean()).isTrue();
        assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean()).isFalse();
        assertThat(container.at("/volumeMounts/0/mountPath").asText()).as("a writable /tmp").isEqualTo("/tmp");
        for (String resource : List.of("cpu", "memory")) {
            assertThat(container.at("/resources/requests/" + resource).asText()).as("requests." + resource).isNotEmpty();
            assertThat(container.at("/resources/limits/" + resource).asText()).as("limits." + resource).isNotEmpty();
        }
    }

    @Test
    void onlyTheIngressControllerAndTheMonitoringNamespaceReachThePods() throws IOException {
        List<ObjectNode> objects = render("standard");
        JsonNode selector = find(objects, "Deployment/reporadar").at("/spec/selector/matchLabels");
        JsonNode policy = find(objects, "NetworkPolicy/reporadar").path("spec");
        assertThat(policy.at("/podSelector/matchLabels")).isEqualTo(selector);
        assertThat(find(objects, "PodDisruptionBudget/reporadar").at("/spec/selector/matchLabels")).isEqualTo(selector);
        assertThat(policy.path("policyTypes").toString()).isEqualTo("[\"Ingress\"]");
        JsonNode rules = policy.path("ingress");
        assertThat(rules.size()).isEqualTo(2);
        assertThat(rules.at("/0/from/0/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText()).isEqualTo("ingress-nginx");
        assertThat(rules.at("/0/from/0/podSelector/matchLabels/app.kubernetes.io~1name").asText()).isEqualTo("ingress-nginx");
        assertThat(rules.at("/1/from/0/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText()).isEqualTo("monitoring");
        for (JsonNode rule : rules) {
            assertThat(rule.path("from").size()).as("one peer per rule (a second would be an alternative)").isEqualTo(1);
            assertThat(rule.at("/ports/0/port").asText()).as("the container's port, by name").isEqualTo(container(objects).at("/ports/0/name").asText());
        }
    }

    /**
     * What the pooling module says of the deployment at the autoscaler's maximum ({@link ConnectionBudget#planned}, the
     * check every instance makes at start-up), or null when it fits.
     */
    private static @Nullable String budgetProblem(List<ObjectNode> objects) {
        JsonNode autoscaler = find(objects, "HorizontalPodAutoscaler/reporadar");
        Map<String, String> environment = new HashMap<>(environment(container(objects)));
        environment.put("INSTANCE_COUNT", autoscaler.at("/spec/maxReplicas").asText());
        ConnectionBudget budget = ConnectionBudget.planned(PoolSettings.fromEnvironment(environment));
        return budget.fits() ? null : Kustomize.key(autoscaler) + " maxReplicas " + autoscaler.at("/spec/maxReplicas").asText()
                + " does not fit: " + budget.arithmetic();
    }

    private static JsonNode container(List<ObjectNode> objects) {
        JsonNode containers = find(objects, "Deployment/reporadar").at("/spec/template/spec/containers");
        assertThat(containers.size()).as("containers").isEqualTo(1);
        return containers.get(0);
    }

    /**
     * The container's variables as the pod would see them: values with their {@code $(NAME)} references to variables
     * defined before them expanded, as Kubernetes does, the pod's name for INSTANCE_ID, stand-ins for the Secret's values.
     */
    static Map<String, String> environment(JsonNode container) {
        Map<String, String> environment = new LinkedHashMap<>();
        for (JsonNode variable : container.path("env")) {
            String name = variable.path("name").asText();
            String value;
            if (variable.has("value")) {
                Matcher reference = REFERENCE.matcher(variable.path("value").asText());
                StringBuilder expanded = new StringBuilder();
                while (reference.find()) {
                    String earlier = environment.get(reference.group(1));
                    assertThat(earlier).as(name + " refers to " + reference.group(1) + ", which must be defined before it").isNotNull();
                    reference.appendReplacement(expanded, Matcher.quoteReplacement(String.valueOf(earlier)));
                }
                value = reference.appendTail(expanded).toString();
            } else if (variable.at("/valueFrom/fieldRef/fieldPath").asText().equals("metadata.name")) {
                value = POD_NAME;
            } else {
                String key = variable.at("/valueFrom/secretKeyRef/key").asText();
                value = SECRET_VALUES.get(key);
                assertThat(value).as(name + " from the Secret's key " + key + ": a secret this test knows the form of").isNotNull();
            }
            assertThat(environment.put(name, String.valueOf(value))).as(name + " defined twice").isNull();
        }
        return environment;
    }

    /** The container's variables by name, each as the manifest writes it. */
    private static ObjectNode variables(JsonNode container) {
        ObjectNode byName = JsonNodeFactory.instance.objectNode();
        container.path("env").forEach(v -> byName.set(v.path("name").asText(), v));
        return byName;
    }

    private static String annotation(JsonNode annotations, String name) {
        JsonNode value = annotations.path("nginx.ingress.kubernetes.io/" + name);
        assertThat(value.isTextual()).as("annotation nginx.ingress.kubernetes.io/" + name).isTrue();
        return value.asText();
    }

    /** The first value of an nginx directive in the rendered nginx.conf (the server's, before any location's). */
    private static String directive(String nginx, String name) {
        Matcher matcher = Pattern.compile("(?m)^\\s*" + name + " ([^;]+);").matcher(nginx);
        assertThat(matcher.find()).as("nginx.conf's " + name).isTrue();
        return matcher.group(1);
    }

    /** The environment, recording every variable the service asks for. */
    private static final class ReadVariables extends HashMap<String, String> {
        private static final long serialVersionUID = 1L;
        final transient Set<String> names = new TreeSet<>();

        ReadVariables(Map<String, String> environment) {
            super(environment);
        }

        @Override
        public @Nullable String get(Object key) {
            names.add(String.valueOf(key));
            return super.get(key);
        }

        @Override
        public String getOrDefault(Object key, String fallback) {
            names.add(String.valueOf(key));
            return super.getOrDefault(key, fallback);
        }

        @Override
        public boolean containsKey(Object key) {
            names.add(String.valueOf(key));
            return super.containsKey(key);
        }
    }
}
