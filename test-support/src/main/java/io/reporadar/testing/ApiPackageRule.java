package io.reporadar.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Keeps a module's API free of its optional dependencies: no class under {@code io.reporadar.<concern>},
 * other than those in the adapter subpackages ({@code .micrometer}, {@code .servlet}), may refer to
 * {@code io.micrometer} or {@code jakarta.servlet}. It reads the compiled classes' constant pools, so it
 * needs no bytecode library.
 *
 * <p>Thread-safe (stateless).
 */
public final class ApiPackageRule {

    private static final List<String> ADAPTERS = List.of("micrometer", "servlet");
    private static final List<String> OPTIONAL = List.of("io/micrometer/", "jakarta/servlet/");

    private ApiPackageRule() {
    }

    /**
     * Fails when a class of {@code apiPackage} outside the adapter subpackages refers to an optional dependency.
     *
     * @param apiPackage the module's API package, e.g. {@code "io.reporadar.pooling"}; its classes are read
     *                   from {@code target/classes} of the module the test runs in
     */
    public static void assertApiFreeOfOptionalDependencies(String apiPackage) {
        assertApiFreeOfOptionalDependencies(Path.of("target", "classes"), apiPackage);
    }

    /** As {@link #assertApiFreeOfOptionalDependencies(String)}, reading classes from {@code classes}. */
    public static void assertApiFreeOfOptionalDependencies(Path classes, String apiPackage) {
        Path root = classes.resolve(apiPackage.replace('.', '/'));
        if (!Files.isDirectory(root)) {
            throw new AssertionError("no compiled classes at " + root.toAbsolutePath());
        }
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                String first = root.relativize(file).getName(0).toString();
                if (ADAPTERS.contains(first)) {
                    continue;
                }
                String constants = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                for (String forbidden : OPTIONAL) {
                    if (constants.contains(forbidden)) {
                        violations.add(root.relativize(file) + " refers to " + forbidden.replace('/', '.'));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!violations.isEmpty()) {
            throw new AssertionError("the API of " + apiPackage + " must not depend on optional adapters' libraries"
                    + " (move the code to ." + String.join(" or .", ADAPTERS) + "): " + String.join("; ", violations));
        }
    }
}
