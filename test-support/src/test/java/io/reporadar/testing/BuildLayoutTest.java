package io.reporadar.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Guards the build's promises that no plugin checks: the BOM lists every published artifact, the poms carry
 * what Maven Central requires, the release profile signs and publishes, and every README example is code a
 * test compiles. What {@code -Prelease verify} really produces is checked by scripts/check-release.sh, which
 * .ci/run runs after the tests.
 */
class BuildLayoutTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final String PROJECT_URL = "https://github.com/reporadar/scale-kit";

    /**
     * README java blocks no test holds yet, by module and first line. Each is a gap to close (a test with the
     * block between ReadmeExamples' markers), not a licence: remove the entry with the test that closes it.
     */
    private static final Map<String, String> README_BLOCKS_WITHOUT_TEST = Map.of();

    /** One job per class: a main source file over this many lines does too much (the architecture issue's rule). */
    private static final int MAX_MAIN_SOURCE_LINES = 400;

    @Test
    void noMainSourceFileIsOverFourHundredLines() throws IOException {
        List<String> tooLong = new ArrayList<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java") && f.toString().contains("/src/main/java/")
                    && !f.toString().contains("/target/")).toList()) {
                long lines;
                try (Stream<String> text = Files.lines(file)) {
                    lines = text.count();
                }
                if (lines > MAX_MAIN_SOURCE_LINES) {
                    tooLong.add(ROOT.relativize(file) + ": " + lines + " lines");
                }
            }
        }
        assertThat(tooLong).as("main sources over " + MAX_MAIN_SOURCE_LINES + " lines (split them by job)").isEmpty();
    }

    @Test
    void theBomListsEveryPublishedModuleAndNothingElse() throws IOException {
        List<String> published = new ArrayList<>();
        List<String> unpublished = new ArrayList<>();
        for (String module : modules()) {
            String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
            boolean skipsDeploy = pom.contains("<maven.deploy.skip>true</maven.deploy.skip>");
            if (!module.equals("bom")) {
                (skipsDeploy ? unpublished : published).add(artifactId(pom));
            }
        }
        String bom = Files.readString(ROOT.resolve("bom/pom.xml"));

        assertThat(published).isNotEmpty().allSatisfy(artifact -> assertThat(bom).contains("<artifactId>" + artifact + "</artifactId>"));
        assertThat(unpublished).allSatisfy(artifact -> assertThat(bom).doesNotContain("<artifactId>" + artifact + "</artifactId>"));
    }

    @Test
    void everyPublishedPomCarriesWhatMavenCentralRequires() throws Exception {
        Element parent = pom(ROOT.resolve("pom.xml"));
        Element bom = pom(ROOT.resolve("bom/pom.xml"));

        // The parent's metadata, inherited by every module as it is: no artifactId appended to its urls.
        assertThat(text(parent, "url")).isEqualTo(PROJECT_URL);
        assertThat(parent.getAttribute("child.project.url.inherit.append.path")).isEqualTo("false");
        Element license = child(child(parent, "licenses"), "license");
        assertThat(text(license, "name")).isEqualTo("Apache License, Version 2.0");
        assertThat(text(license, "url")).isEqualTo("https://www.apache.org/licenses/LICENSE-2.0");
        Element developer = child(child(parent, "developers"), "developer");
        assertThat(text(developer, "name")).isNotBlank();
        Element scm = child(parent, "scm");
        assertThat(text(scm, "connection")).startsWith("scm:git:");
        assertThat(text(scm, "developerConnection")).startsWith("scm:git:");
        assertThat(text(scm, "url")).isEqualTo(PROJECT_URL);
        for (String attribute : List.of("connection", "developerConnection", "url")) {
            assertThat(scm.getAttribute("child.scm." + attribute + ".inherit.append.path")).as("scm " + attribute).isEqualTo("false");
        }

        // The BOM has no parent: it repeats them.
        assertThat(text(bom, "url")).isEqualTo(PROJECT_URL);
        for (String element : List.of("licenses", "developers", "scm")) {
            assertThat(words(child(bom, element))).as("the BOM's " + element).isEqualTo(words(child(parent, element)));
        }

        // name is never inherited, and a module's description is its own.
        for (String module : modules()) {
            Element pom = pom(ROOT.resolve(module).resolve("pom.xml"));
            assertThat(text(pom, "name")).as(module + "'s name").isNotBlank();
            assertThat(text(pom, "description")).as(module + "'s description").isNotBlank();
        }
    }

    @Test
    void theLicenseFileIsTheApacheLicenseThePomsDeclare() throws IOException {
        String license = Files.readString(ROOT.resolve("LICENSE"));

        assertThat(license).contains("Apache License", "Version 2.0, January 2004",
                "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION", "END OF TERMS AND CONDITIONS");
    }

    @Test
    void theReleaseProfileBuildsSignsAndPublishesToCentral() throws Exception {
        Element parent = pom(ROOT.resolve("pom.xml"));
        Element release = profile(parent, "release");
        Map<String, Element> plugins = plugins(release);

        assertThat(goals(plugin(plugins, "maven-source-plugin"))).containsExactly("jar-no-fork");
        assertThat(goals(plugin(plugins, "maven-javadoc-plugin"))).containsExactly("jar");
        assertSignsInVerify(plugin(plugins, "maven-gpg-plugin"));
        assertPublishesToCentral(plugin(plugins, "central-publishing-maven-plugin"));
        Element configuration = child(plugin(plugins, "central-publishing-maven-plugin"), "configuration");
        assertThat(text(configuration, "skipPublishing")).as("the Central plugin ignores maven.deploy.skip unless told")
                .isEqualTo("${maven.deploy.skip}");
        assertThat(text(child(release, "properties"), "gpg.signer")).isEqualTo("bc");

        // The BOM has a profile of its own, with the parent's plugin versions.
        Element properties = child(parent, "properties");
        Element bomRelease = profile(pom(ROOT.resolve("bom/pom.xml")), "release");
        Map<String, Element> bomPlugins = plugins(bomRelease);
        assertSignsInVerify(plugin(bomPlugins, "maven-gpg-plugin"));
        assertPublishesToCentral(plugin(bomPlugins, "central-publishing-maven-plugin"));
        assertThat(text(plugin(bomPlugins, "maven-gpg-plugin"), "version")).isEqualTo(text(properties, "dep.plugin.gpg.version"));
        assertThat(text(plugin(bomPlugins, "central-publishing-maven-plugin"), "version"))
                .isEqualTo(text(properties, "dep.plugin.central-publishing.version"));
        assertThat(text(child(bomRelease, "properties"), "gpg.signer")).isEqualTo("bc");
    }

    /** The plugin {@code artifactId} of a profile, which must be there. */
    private static Element plugin(Map<String, Element> plugins, String artifactId) {
        Element plugin = plugins.get(artifactId);
        if (plugin == null) {
            throw new AssertionError("the release profile has no " + artifactId);
        }
        return plugin;
    }

    @Test
    void ciChecksTheReleaseArtifacts() throws IOException {
        assertThat(Files.readString(ROOT.resolve(".ci/run"))).contains("scripts/check-release.sh");
        assertThat(ROOT.resolve("scripts/check-release.sh")).isExecutable();
        assertThat(ROOT.resolve("scripts/CheckRelease.java")).isRegularFile();
    }

    /** Every java block of a module's README shows an example that one of its tests compiles (ReadmeExamples). */
    @Test
    void everyReadmeJavaExampleIsCompiledByATest() throws IOException {
        List<String> untested = new ArrayList<>();
        for (String module : modules()) {
            Path readme = ROOT.resolve(module).resolve("README.md");
            if (!Files.exists(readme)) {
                continue;
            }
            List<String> examples = testedExamples(ROOT.resolve(module).resolve("src/test/java"));
            for (String block : javaBlocks(Files.readString(readme))) {
                boolean tested = examples.stream().anyMatch(example -> ("\n" + block + "\n").contains("\n" + example + "\n"));
                boolean knownGap = block.startsWith(README_BLOCKS_WITHOUT_TEST.getOrDefault(module, "\u0000"));
                if (!tested && !knownGap) {
                    untested.add(module + "/README.md: " + block.lines().findFirst().orElse(""));
                }
            }
        }
        assertThat(untested).as("README java blocks that no test holds between \"" + ReadmeExamples.BEGIN + "\" and \""
                + ReadmeExamples.END + "\"").isEmpty();
    }

    private static void assertSignsInVerify(Element gpg) {
        assertThat(gpg).as("maven-gpg-plugin").isNotNull();
        Element execution = child(child(gpg, "executions"), "execution");
        assertThat(text(execution, "phase")).isEqualTo("verify");
        assertThat(goals(gpg)).containsExactly("sign");
    }

    private static void assertPublishesToCentral(Element central) {
        assertThat(central).as("central-publishing-maven-plugin").isNotNull();
        assertThat(text(central, "groupId")).isEqualTo("org.sonatype.central");
        assertThat(text(central, "extensions")).isEqualTo("true");
        Element configuration = child(central, "configuration");
        assertThat(text(configuration, "publishingServerId")).isEqualTo("central");
        assertThat(text(configuration, "autoPublish")).isEqualTo("false");
    }

    /** The examples between ReadmeExamples' markers in a module's test sources, dedented as the README shows them. */
    private static List<String> testedExamples(Path testSources) throws IOException {
        List<String> examples = new ArrayList<>();
        if (!Files.isDirectory(testSources)) {
            return examples;
        }
        List<Path> sources;
        try (Stream<Path> files = Files.walk(testSources)) {
            sources = files.filter(f -> f.toString().endsWith(".java")).toList();
        }
        for (Path source : sources) {
            List<String> lines = Files.readAllLines(source);
            List<String> example = null;
            for (String line : lines) {
                if (line.trim().equals(ReadmeExamples.BEGIN)) {
                    example = new ArrayList<>();
                } else if (line.trim().equals(ReadmeExamples.END) && example != null) {
                    examples.add(dedent(example));
                    example = null;
                } else if (example != null) {
                    example.add(line);
                }
            }
        }
        return examples;
    }

    private static String dedent(List<String> lines) {
        int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            out.add(line.isBlank() ? "" : line.substring(indent).stripTrailing());
        }
        return String.join("\n", out);
    }

    private static List<String> javaBlocks(String markdown) {
        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^```java\\n(.*?)^```", Pattern.DOTALL).matcher(markdown);
        while (m.find()) {
            List<String> lines = new ArrayList<>();
            m.group(1).lines().forEach(line -> lines.add(line.stripTrailing()));
            blocks.add(String.join("\n", lines));
        }
        return blocks;
    }

    private static List<String> modules() throws IOException {
        List<String> modules = new ArrayList<>();
        Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(ROOT.resolve("pom.xml")));
        while (m.find()) {
            modules.add(m.group(1));
        }
        return modules;
    }

    private static String artifactId(String pom) {
        // The first artifactId after the parent block is the module's own.
        String own = pom.substring(pom.indexOf("</parent>"));
        Matcher m = Pattern.compile("<artifactId>([^<]+)</artifactId>").matcher(own);
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private static Element pom(Path file) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile()).getDocumentElement();
    }

    private static Element profile(Element pom, String id) {
        for (Element profile : children(child(pom, "profiles"), "profile")) {
            if (id.equals(text(profile, "id"))) {
                return profile;
            }
        }
        throw new AssertionError("no profile '" + id + "' in " + text(pom, "artifactId"));
    }

    /** A profile's build plugins by artifactId. */
    private static Map<String, Element> plugins(Element profile) {
        Map<String, Element> plugins = new LinkedHashMap<>();
        for (Element plugin : children(child(child(profile, "build"), "plugins"), "plugin")) {
            plugins.put(text(plugin, "artifactId"), plugin);
        }
        return plugins;
    }

    private static List<String> goals(Element plugin) {
        assertThat(plugin).isNotNull();
        List<String> goals = new ArrayList<>();
        for (Element execution : children(child(plugin, "executions"), "execution")) {
            for (Element goal : children(child(execution, "goals"), "goal")) {
                goals.add(goal.getTextContent().strip());
            }
        }
        return goals;
    }

    private static Element child(Element parent, String name) {
        List<Element> found = children(parent, name);
        assertThat(found).as("<" + name + "> in <" + parent.getTagName() + ">").isNotEmpty();
        return found.get(0);
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && element.getTagName().equals(name)) {
                found.add(element);
            }
        }
        return found;
    }

    /** An element's text, whitespace collapsed: the same metadata however it is indented. */
    private static String words(Element element) {
        return element.getTextContent().strip().replaceAll("\\s+", " ");
    }

    private static String text(Element parent, String name) {
        return child(parent, name).getTextContent().strip();
    }
}
