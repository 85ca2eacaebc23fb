import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Checks what {@code ./mvnw -Prelease verify} left in a checkout against what Maven Central takes: for every
 * artifact the Central plugin would publish, the files (jar, sources and javadoc jars for a jar; the pom) each
 * with a signature that gpg verifies, and the pom metadata Central requires. Run by scripts/check-release.sh:
 *
 * <pre>java scripts/CheckRelease.java CHECKOUT EFFECTIVE_POMS_XML</pre>
 *
 * The published set is read from the effective poms (every project whose central-publishing-maven-plugin does not
 * skip publishing) and must be the parent, the BOM and exactly the artifacts the BOM lists. Signatures are
 * verified with the gpg keyring of GNUPGHOME. Prints what it checked; exits 1 naming every problem.
 */
public final class CheckRelease {

    private static final String GROUP_ID = "io.reporadar";
    private static final String PROJECT_URL = "https://github.com/reporadar/scale-kit";
    private static final String CENTRAL_PLUGIN = "central-publishing-maven-plugin";

    private final List<String> problems = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: java CheckRelease.java CHECKOUT EFFECTIVE_POMS_XML");
            System.exit(2);
        }
        CheckRelease check = new CheckRelease();
        check.run(Path.of(args[0]), Path.of(args[1]));
        if (!check.problems.isEmpty()) {
            System.err.println("check-release: " + check.problems.size() + " problem(s):");
            check.problems.forEach(p -> System.err.println("  - " + p));
            System.exit(1);
        }
        System.out.println("check-release: everything Maven Central requires is there.");
    }

    private void run(Path checkout, Path effectivePoms) throws Exception {
        Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(effectivePoms.toFile()).getDocumentElement();
        List<Element> projects = root.getTagName().equals("projects") ? children(root, "project") : List.of(root);

        Map<String, Element> published = new LinkedHashMap<>();
        Set<String> skipped = new TreeSet<>();
        List<String> bomLists = new ArrayList<>();
        boolean sawParent = false;
        for (Element project : projects) {
            String artifactId = text(project, "artifactId");
            Element central = plugin(project, CENTRAL_PLUGIN);
            if (central == null) {
                problems.add(artifactId + ": no " + CENTRAL_PLUGIN + " (maven-deploy-plugin would deploy it elsewhere)");
                continue;
            }
            if (!"true".equals(text(child(central, "extensions")))) {
                problems.add(artifactId + ": " + CENTRAL_PLUGIN + " without <extensions>true</extensions>");
            }
            Element configuration = child(central, "configuration");
            if (!"central".equals(text(configuration, "publishingServerId"))) {
                problems.add(artifactId + ": " + CENTRAL_PLUGIN + " must publish through server id 'central'");
            }
            if (!"false".equals(text(configuration, "autoPublish"))) {
                problems.add(artifactId + ": " + CENTRAL_PLUGIN + " must leave publishing to a person (autoPublish false)");
            }
            if ("true".equals(text(configuration, "skipPublishing"))) {
                skipped.add(artifactId);
            } else {
                published.put(artifactId, project);
            }
            if (artifactId.equals("reporadar-bom")) {
                Element managed = child(project, "dependencyManagement");
                for (Element dependency : children(child(managed, "dependencies"), "dependency")) {
                    bomLists.add(text(dependency, "artifactId"));
                }
            }
            if (artifactId.equals("reporadar-parent")) {
                sawParent = true;
            }
        }
        if (!sawParent) {
            problems.add("the effective poms have no reporadar-parent: run help:effective-pom at the repository root");
        }

        Set<String> expected = new TreeSet<>(bomLists);
        expected.add("reporadar-parent");
        expected.add("reporadar-bom");
        if (!expected.equals(new TreeSet<>(published.keySet()))) {
            problems.add("the Central plugin would publish " + new TreeSet<>(published.keySet())
                    + " but the parent, the BOM and what the BOM lists are " + expected);
        }
        System.out.println("check-release: published " + published.keySet());
        System.out.println("check-release: not published (skipPublishing) " + skipped);

        for (Element project : published.values()) {
            checkMetadata(project);
            checkFiles(project, checkout);
        }
    }

    private void checkMetadata(Element project) {
        String artifactId = text(project, "artifactId");
        require(artifactId, GROUP_ID.equals(text(project, "groupId")), "groupId must be " + GROUP_ID);
        require(artifactId, !text(project, "name").isBlank(), "no <name>");
        require(artifactId, !text(project, "description").isBlank(), "no <description>");
        require(artifactId, PROJECT_URL.equals(text(project, "url")), "<url> must be " + PROJECT_URL + ", is '" + text(project, "url") + "'");
        List<Element> licenses = children(child(project, "licenses"), "license");
        require(artifactId, !licenses.isEmpty(), "no <licenses>");
        for (Element license : licenses) {
            require(artifactId, !text(license, "name").isBlank() && !text(license, "url").isBlank(), "a <license> without name or url");
        }
        List<Element> developers = children(child(project, "developers"), "developer");
        require(artifactId, !developers.isEmpty(), "no <developers>");
        for (Element developer : developers) {
            require(artifactId, !text(developer, "name").isBlank(), "a <developer> without name");
        }
        Element scm = child(project, "scm");
        require(artifactId, scm != null, "no <scm>");
        if (scm != null) {
            require(artifactId, text(scm, "connection").startsWith("scm:git:") && text(scm, "developerConnection").startsWith("scm:git:"),
                    "<scm> needs connection and developerConnection (scm:git:...)");
            require(artifactId, PROJECT_URL.equals(text(scm, "url")), "<scm><url> must be " + PROJECT_URL + ", is '" + text(scm, "url") + "'");
        }
    }

    private void checkFiles(Element project, Path checkout) throws IOException, InterruptedException {
        String artifactId = text(project, "artifactId");
        String version = text(project, "version");
        String packaging = text(project, "packaging").isEmpty() ? "jar" : text(project, "packaging");
        String base = artifactId + "-" + version;
        Path target = targetHolding(checkout, base + ".pom");
        if (target == null) {
            problems.add(artifactId + ": no target/" + base + ".pom in any module: -Prelease verify did not build or sign it");
            return;
        }
        List<String> files = new ArrayList<>(List.of(base + ".pom"));
        if (packaging.equals("jar")) {
            files.addAll(List.of(base + ".jar", base + "-sources.jar", base + "-javadoc.jar"));
        } else if (!packaging.equals("pom")) {
            problems.add(artifactId + ": packaging " + packaging + " is not checked here");
        }
        List<String> verified = new ArrayList<>();
        for (String name : files) {
            Path file = target.resolve(name);
            Path signature = target.resolve(name + ".asc");
            if (!Files.isRegularFile(file)) {
                problems.add(artifactId + ": missing " + file);
                continue;
            }
            checkContent(artifactId, file);
            if (!Files.isRegularFile(signature)) {
                problems.add(artifactId + ": missing signature " + signature);
                continue;
            }
            String gpg = gpgVerify(signature, file);
            if (gpg != null) {
                problems.add(artifactId + ": " + signature.getFileName() + " does not verify: " + gpg);
                continue;
            }
            verified.add(name + " (+.asc)");
        }
        System.out.println("check-release: " + artifactId + " [" + packaging + "] in " + target + ": " + String.join(", ", verified));
    }

    /** The files must hold what their names promise, not an empty jar made to satisfy a rule. */
    private void checkContent(String artifactId, Path file) throws IOException {
        String name = file.getFileName().toString();
        if (name.endsWith(".pom")) {
            String pom = Files.readString(file, StandardCharsets.UTF_8);
            require(artifactId, pom.contains("<artifactId>" + artifactId + "</artifactId>"), name + " is not this module's pom");
            return;
        }
        String wanted = name.endsWith("-sources.jar") ? ".java" : name.endsWith("-javadoc.jar") ? "index.html" : ".class";
        try (ZipFile zip = new ZipFile(file.toFile())) {
            boolean found = zip.stream().map(ZipEntry::getName).anyMatch(entry -> entry.endsWith(wanted));
            require(artifactId, found, name + " holds no " + wanted);
        }
    }

    /** Returns null when gpg verifies the signature, else what gpg said. */
    private static String gpgVerify(Path signature, Path file) throws IOException, InterruptedException {
        Process gpg = new ProcessBuilder("gpg", "--batch", "--verify", signature.toString(), file.toString())
                .redirectErrorStream(true).start();
        String output;
        try (InputStream in = gpg.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!gpg.waitFor(60, TimeUnit.SECONDS)) {
            gpg.destroyForcibly();
            return "gpg did not answer within 60 s";
        }
        if (gpg.exitValue() == 0) {
            return null;
        }
        List<String> lines = output.strip().lines().toList();
        return lines.isEmpty() ? "gpg exited with " + gpg.exitValue() : lines.get(lines.size() - 1);
    }

    /** The target directory holding BASE.pom (the gpg plugin's copy of a module's pom), or null. */
    private static Path targetHolding(Path checkout, String pom) throws IOException {
        List<Path> candidates = new ArrayList<>(List.of(checkout.resolve("target")));
        try (var modules = Files.list(checkout)) {
            modules.sorted().map(module -> module.resolve("target")).forEach(candidates::add);
        }
        for (Path target : candidates) {
            if (Files.isRegularFile(target.resolve(pom))) {
                return target;
            }
        }
        return null;
    }

    private void require(String artifactId, boolean condition, String problem) {
        if (!condition) {
            problems.add(artifactId + ": " + problem);
        }
    }

    private static Element plugin(Element project, String artifactId) {
        for (Element plugin : children(child(child(project, "build"), "plugins"), "plugin")) {
            if (artifactId.equals(text(plugin, "artifactId"))) {
                return plugin;
            }
        }
        return null;
    }

    private static Element child(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0);
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        if (parent != null) {
            for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
                if (node instanceof Element element && element.getTagName().equals(name)) {
                    found.add(element);
                }
            }
        }
        return found;
    }

    private static String text(Element parent, String name) {
        return text(child(parent, name));
    }

    private static String text(Element element) {
        return element == null ? "" : element.getTextContent().strip();
    }
}
