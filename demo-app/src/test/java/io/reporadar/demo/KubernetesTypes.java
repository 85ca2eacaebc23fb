package io.reporadar.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import java.io.IOException;
import java.util.List;

/**
 * Rendered manifests read as the Kubernetes API's own types: the models generated from the API's OpenAPI document
 * (Maven: {@code io.kubernetes:client-java-api}, Kubernetes 1.36). Their {@code validateJsonElement} refuses a field the
 * type does not define, at any depth, and a required field left out; reading the object into the model then refuses a
 * value of the wrong type. An object of a kind not listed here is refused too. Thread-safe (stateless).
 */
final class KubernetesTypes {

    /** The models' generated check, which declares {@link IOException}. */
    private interface Check {
        void validate(JsonElement json) throws IOException;
    }

    private record Type(String apiVersion, String kind, Class<?> model, Check check) {
    }

    private static final List<Type> TYPES = List.of(
            new Type("apps/v1", "Deployment", V1Deployment.class, V1Deployment::validateJsonElement),
            new Type("v1", "Service", V1Service.class, V1Service::validateJsonElement),
            new Type("autoscaling/v2", "HorizontalPodAutoscaler", V2HorizontalPodAutoscaler.class, V2HorizontalPodAutoscaler::validateJsonElement),
            new Type("policy/v1", "PodDisruptionBudget", V1PodDisruptionBudget.class, V1PodDisruptionBudget::validateJsonElement),
            new Type("networking.k8s.io/v1", "Ingress", V1Ingress.class, V1Ingress::validateJsonElement),
            new Type("networking.k8s.io/v1", "NetworkPolicy", V1NetworkPolicy.class, V1NetworkPolicy::validateJsonElement));

    private KubernetesTypes() {
    }

    /**
     * The object as its model ({@link V1Deployment}, ...).
     *
     * @throws IllegalArgumentException naming the object and what the API's type refuses in it
     */
    static Object read(JsonNode object) {
        String apiVersion = object.path("apiVersion").asText();
        String kind = object.path("kind").asText();
        String name = kind + "/" + object.path("metadata").path("name").asText();
        Type type = TYPES.stream().filter(t -> t.apiVersion().equals(apiVersion) && t.kind().equals(kind)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(name + ": " + apiVersion + " " + kind + " (expected: one of " + TYPES.stream()
                        .map(t -> t.apiVersion() + " " + t.kind()).toList() + ")"));
        JsonElement json = JsonParser.parseString(object.toString());
        try {
            type.check().validate(json);
            return JSON.getGson().fromJson(json, type.model());
        } catch (IOException | IllegalArgumentException | JsonParseException e) {
            throw new IllegalArgumentException(name + " is not a valid " + apiVersion + " " + kind + ": " + e.getMessage(), e);
        }
    }

    /** As {@link #read(JsonNode)}, for an object that must be of {@code model}'s type. */
    static <T> T read(JsonNode object, Class<T> model) {
        return model.cast(read(object));
    }
}
