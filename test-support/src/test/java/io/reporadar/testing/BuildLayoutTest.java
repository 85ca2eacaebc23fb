package io.reporadar.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Guards the build's promises that no plugin checks: the BOM lists every published artifact. */
class BuildLayoutTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theBomListsEveryPublishedModule() throws IOException {
        List<String> published = new ArrayList<>();
        for (String module : modules(Files.readString(ROOT.resolve("pom.xml")))) {
            String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
            boolean skipsDeploy = pom.contains("<maven.deploy.skip>true</maven.deploy.skip>");
            if (!module.equals("bom") && !skipsDeploy) {
                published.add(artifactId(pom));
            }
        }
        String bom = Files.readString(ROOT.resolve("bom/pom.xml"));

        assertThat(published).isNotEmpty().allSatisfy(artifact -> assertThat(bom).contains("<artifactId>" + artifact + "</artifactId>"));
    }

    private static List<String> modules(String pom) {
        List<String> modules = new ArrayList<>();
        Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(pom);
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
}
