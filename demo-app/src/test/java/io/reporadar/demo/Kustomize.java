package io.reporadar.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The part of kustomize that {@code deploy/kubernetes} uses, so that the manifests render where {@code kubectl} is not
 * installed: a kustomization's {@code resources} (YAML files, or folders with a kustomization of their own) and its
 * {@code patches} given by {@code path} (strategic-merge patches, each applied to the object of its kind and name).
 * Anything else in a kustomization is refused, naming it. Where {@code kubectl} is installed,
 * {@link KubernetesManifestsTest} holds this rendering equal to {@code kubectl kustomize}'s.
 *
 * <p>The strategic merge, as far as these patches need it: maps merge key by key, a {@code null} removes the key, the
 * lists {@link #MERGED_BY_NAME} merge their items by {@code name} (the patch's items first, in its order, then the
 * others, as kustomize orders them: a variable a patch adds can be referred to by the next), every other list is
 * replaced. Not thread-safe: tests call it from one thread.
 */
final class Kustomize {

    /** The lists that Kubernetes' strategic merge merges by {@code name} and that patches here touch. */
    private static final Set<String> MERGED_BY_NAME = Set.of("containers", "initContainers", "env", "volumes");
    private static final List<String> FIELDS = List.of("apiVersion", "kind", "resources", "patches");
    private static final YAMLMapper YAML = new YAMLMapper();

    private Kustomize() {
    }

    /** The objects the kustomization in {@code folder} renders, in the order of its resources. */
    static List<ObjectNode> render(Path folder) throws IOException {
        Path file = folder.resolve("kustomization.yaml");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(folder + ": no kustomization.yaml");
        }
        JsonNode kustomization = YAML.readTree(file.toFile());
        for (Map.Entry<String, JsonNode> field : kustomization.properties()) {
            String name = field.getKey();
            if (!FIELDS.contains(name)) {
                throw new IllegalArgumentException(file + ": " + name + " (expected: only " + FIELDS + "; Kustomize renders no more)");
            }
        }
        Map<String, ObjectNode> objects = new LinkedHashMap<>();
        for (JsonNode resource : kustomization.path("resources")) {
            Path path = folder.resolve(resource.asText()).normalize();
            for (ObjectNode object : Files.isDirectory(path) ? render(path) : read(path)) {
                if (objects.put(key(object), object) != null) {
                    throw new IllegalArgumentException(path + ": " + key(object) + " is defined twice");
                }
            }
        }
        for (JsonNode patch : kustomization.path("patches")) {
            if (patch.size() != 1 || !patch.has("path")) {
                throw new IllegalArgumentException(file + ": patch " + patch + " (expected: path: FILE alone)");
            }
            for (ObjectNode change : read(folder.resolve(patch.get("path").asText()))) {
                ObjectNode target = objects.get(key(change));
                if (target == null) {
                    throw new IllegalArgumentException(file + ": the patch " + patch.get("path").asText() + " matches no object: " + key(change));
                }
                merge(target, change);
            }
        }
        return new ArrayList<>(objects.values());
    }

    /** Every document of a YAML file, each an object. */
    static List<ObjectNode> read(Path file) throws IOException {
        List<ObjectNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            while (it.hasNext()) {
                JsonNode document = it.next();
                if (document instanceof ObjectNode object) {
                    documents.add(object);
                } else if (!document.isNull() && !document.isMissingNode()) {
                    throw new IllegalArgumentException(file + ": a document that is not an object: " + document);
                }
            }
        }
        return documents;
    }

    /** What identifies an object here: its kind and name ({@code Deployment/reporadar}). */
    static String key(JsonNode object) {
        return object.path("kind").asText() + "/" + object.path("metadata").path("name").asText();
    }

    /** Applies a strategic-merge {@code patch} to {@code target}, in place. */
    static void merge(ObjectNode target, JsonNode patch) {
        for (Map.Entry<String, JsonNode> field : patch.properties()) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            JsonNode current = target.get(name);
            if (value.isNull()) {
                target.remove(name);
            } else if (current instanceof ObjectNode object && value.isObject()) {
                merge(object, value);
            } else if (current instanceof ArrayNode list && value.isArray() && MERGED_BY_NAME.contains(name)) {
                target.set(name, mergeByName(list, (ArrayNode) value));
            } else {
                target.set(name, value.deepCopy());
            }
        }
    }

    private static ArrayNode mergeByName(ArrayNode current, ArrayNode patch) {
        Map<String, ObjectNode> byName = new LinkedHashMap<>();
        for (JsonNode item : current) {
            byName.put(item.path("name").asText(), (ObjectNode) item);
        }
        ArrayNode merged = JsonNodeFactory.instance.arrayNode();
        for (JsonNode item : patch) {
            ObjectNode existing = byName.remove(item.path("name").asText());
            if (existing == null) {
                ObjectNode added = JsonNodeFactory.instance.objectNode();
                merge(added, item); // drops the patch's nulls, as kustomize does for a new item
                merged.add(added);
            } else {
                merge(existing, item);
                merged.add(existing);
            }
        }
        byName.values().forEach(merged::add);
        return merged;
    }
}
