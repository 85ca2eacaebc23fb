package io.reporadar.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kubernetes.client.openapi.models.V1Deployment;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code deploy/kubernetes} renders, and every object it renders is of the Kubernetes API: no cluster is needed (none
 * runs here). The overlays are rendered by {@link Kustomize}, and also by {@code kubectl kustomize} where kubectl is
 * installed, the two renderings being held equal; each object is then read as the API's own type
 * ({@link KubernetesTypes}), which refuses unknown fields. {@link KubernetesAppConsistencyTest} holds the objects to
 * the application.
 */
class KubernetesManifestsTest {

    static final Path KUBERNETES = Path.of("..", "deploy", "kubernetes");
    private static final List<String> OBJECTS = List.of("Deployment/reporadar", "Service/reporadar", "HorizontalPodAutoscaler/reporadar",
            "PodDisruptionBudget/reporadar", "Ingress/reporadar", "Ingress/reporadar-api", "Ingress/reporadar-internal",
            "NetworkPolicy/reporadar");

    /** The objects an overlay ({@code standard}, {@code ha}) renders, by {@link Kustomize}. */
    static List<ObjectNode> render(String overlay) throws IOException {
        return Kustomize.render(KUBERNETES.resolve("overlays").resolve(overlay));
    }

    @ParameterizedTest(name = "overlay {0}")
    @ValueSource(strings = {"standard", "ha"})
    void everyObjectTheOverlayRendersIsOfTheKubernetesApi(String overlay) throws IOException {
        List<ObjectNode> objects = render(overlay);

        assertThat(objects).extracting(Kustomize::key).containsExactlyInAnyOrderElementsOf(OBJECTS);
        for (ObjectNode object : objects) {
            assertThat(KubernetesTypes.read(object)).as(Kustomize.key(object)).isNotNull();
        }
        assertThat(objects).as("secrets are referenced, never shipped").noneMatch(o -> o.path("kind").asText().equals("Secret"));
    }

    @ParameterizedTest(name = "overlay {0}")
    @ValueSource(strings = {"standard", "ha"})
    void kubectlKustomizeRendersWhatTheJavaRendererRenders(String overlay) throws Exception {
        Path kubectl = onPath("kubectl");
        List<ObjectNode> java = render(overlay);
        if (kubectl == null) {
            // The rule: kubectl kustomize where installed, the Java rendering alone elsewhere (Debian's own
            // kubernetes-client, 1.20, has a kustomize too old for "patches:").
            System.err.println("kubectl is not installed: overlay " + overlay + " rendered by the Java renderer alone");
            assertThat(java).isNotEmpty();
            return;
        }
        Path output = Files.createTempFile("kustomize-" + overlay, ".yaml");
        try {
            Process process = new ProcessBuilder(kubectl.toString(), "kustomize", KUBERNETES.resolve("overlays").resolve(overlay).toString())
                    .redirectOutput(output.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("kubectl kustomize finished").isTrue();
            assertThat(process.exitValue()).as("kubectl kustomize's exit code").isZero();
            Map<String, JsonNode> byKubectl = byKey(Kustomize.read(output));
            assertThat(byKubectl.keySet()).containsExactlyInAnyOrderElementsOf(byKey(java).keySet());
            for (ObjectNode object : java) {
                assertThat(object).as("%s as the Java renderer renders it, against kubectl kustomize's", Kustomize.key(object))
                        .isEqualTo(byKubectl.get(Kustomize.key(object)));
            }
        } finally {
            Files.delete(output);
        }
    }

    @Test
    void aMisspelledFieldAnUnknownOneAndAValueOfTheWrongTypeAreRefused() throws IOException {
        ObjectNode deployment = find(render("standard"), "Deployment/reporadar");
        ObjectNode container = (ObjectNode) deployment.at("/spec/template/spec/containers/0");
        assertThat(KubernetesTypes.read(deployment, V1Deployment.class).toString()).as("read into the model")
                .contains("readinessProbe: class V1Probe");

        ObjectNode typo = deployment.deepCopy();
        ObjectNode typoContainer = (ObjectNode) typo.at("/spec/template/spec/containers/0");
        typoContainer.set("readinesProbe", typoContainer.remove("readinessProbe"));
        assertThatThrownBy(() -> KubernetesTypes.read(typo)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Deployment/reporadar is not a valid apps/v1 Deployment: ")
                .hasMessageContaining("The field `readinesProbe` in the JSON string is not defined in the `V1Container` properties");

        ObjectNode unknown = deployment.deepCopy();
        ((ObjectNode) unknown.at("/spec/template/spec")).put("terminationGracePeriod", 45);
        assertThatThrownBy(() -> KubernetesTypes.read(unknown))
                .hasMessageContaining("The field `terminationGracePeriod` in the JSON string is not defined in the `V1PodSpec` properties");

        ObjectNode wrongType = deployment.deepCopy();
        ((ObjectNode) wrongType.at("/spec/template/spec/containers/0/ports/0")).put("containerPort", "three thousand");
        assertThatThrownBy(() -> KubernetesTypes.read(wrongType)).hasMessageStartingWith("Deployment/reporadar is not a valid apps/v1 Deployment: ")
                .hasMessageContaining("three thousand");

        ObjectNode nameless = deployment.deepCopy();
        ((ObjectNode) nameless.at("/spec/template/spec/containers/0")).remove("name");
        assertThatThrownBy(() -> KubernetesTypes.read(nameless)).hasMessageContaining("required field `name`");
        assertThat(container.path("name").asText()).isEqualTo("reporadar");
    }

    @Test
    void anObjectOfAKindTheCheckDoesNotKnowIsRefused() throws IOException {
        ObjectNode secret = (ObjectNode) new YAMLMapper().readTree("apiVersion: v1\nkind: Secret\nmetadata:\n  name: reporadar\n");
        assertThatThrownBy(() -> KubernetesTypes.read(secret)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Secret/reporadar: v1 Secret (expected: one of [apps/v1 Deployment, v1 Service,");
    }

    @Test
    void theJavaRendererRefusesWhatItDoesNotRender(@TempDir Path folder) throws IOException {
        Files.writeString(folder.resolve("kustomization.yaml"), "resources: []\nnamePrefix: staging-\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Kustomize.render(folder)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("kustomization.yaml: namePrefix (expected: only [apiVersion, kind, resources, patches]; Kustomize renders no more)");
    }

    static ObjectNode find(List<ObjectNode> objects, String key) {
        return objects.stream().filter(o -> Kustomize.key(o).equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + key + " among " + objects.stream().map(Kustomize::key).toList()));
    }

    private static Map<String, JsonNode> byKey(List<ObjectNode> objects) {
        Map<String, JsonNode> byKey = new TreeMap<>();
        objects.forEach(o -> byKey.put(Kustomize.key(o), o));
        return byKey;
    }

    private static @Nullable Path onPath(String command) {
        List<Path> candidates = new ArrayList<>();
        for (String folder : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator, -1)) {
            if (!folder.isEmpty()) {
                candidates.add(Path.of(folder, command));
            }
        }
        return Stream.concat(candidates.stream(), Stream.of(Path.of("/usr/bin", command), Path.of("/usr/local/bin", command)))
                .filter(Files::isExecutable).findFirst().orElse(null);
    }
}
