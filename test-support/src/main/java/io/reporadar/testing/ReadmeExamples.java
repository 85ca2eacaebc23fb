package io.reporadar.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps a README's code example identical to code that compiles: the example lives in a test source
 * between the marker comments {@value #BEGIN} and {@value #END}, and {@link #assertReadmeShows} fails when
 * the README does not show exactly those lines (indentation aside) in a fenced block.
 *
 * <p>Thread-safe (stateless).
 */
public final class ReadmeExamples {

    public static final String BEGIN = "// README example begins";
    public static final String END = "// README example ends";

    private ReadmeExamples() {
    }

    /**
     * Fails when {@code readme} does not show, in a fenced block, the lines of {@code source} between the markers.
     *
     * @param readme the README (relative paths resolve against the module directory, where tests run)
     * @param source the test source holding the example between the markers
     */
    public static void assertReadmeShows(Path readme, Path source) {
        String example = String.join("\n", dedent(between(read(source), source)));
        List<String> readmeLines = new ArrayList<>();
        for (String line : read(readme)) {
            readmeLines.add(line.stripTrailing());
        }
        String text = String.join("\n", readmeLines);
        if (!text.contains("\n" + example + "\n")) {
            throw new AssertionError(readme + " does not show the example in " + source
                    + " verbatim. Copy it into a fenced code block:\n\n" + example + "\n");
        }
    }

    private static List<String> between(List<String> lines, Path source) {
        int begin = -1;
        int end = -1;
        for (int i = 0; i < lines.size(); i++) {
            String trimmed = lines.get(i).trim();
            if (trimmed.equals(BEGIN)) {
                begin = i;
            } else if (trimmed.equals(END)) {
                end = i;
            }
        }
        if (begin < 0 || end <= begin) {
            throw new AssertionError(source + " has no example between \"" + BEGIN + "\" and \"" + END + "\"");
        }
        return lines.subList(begin + 1, end);
    }

    private static List<String> dedent(List<String> lines) {
        int indent = Integer.MAX_VALUE;
        for (String line : lines) {
            if (!line.isBlank()) {
                indent = Math.min(indent, line.length() - line.stripLeading().length());
            }
        }
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            out.add(line.isBlank() ? "" : line.substring(indent).stripTrailing());
        }
        return out;
    }

    private static List<String> read(Path path) {
        try {
            return Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path.toAbsolutePath(), e);
        }
    }
}
