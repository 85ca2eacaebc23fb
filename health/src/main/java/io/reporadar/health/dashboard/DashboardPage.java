package io.reporadar.health.dashboard;

import io.reporadar.health.HtmlPage;
import io.reporadar.health.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The deployment dashboard as one self-contained HTML document: it reloads itself every second
 * ({@code <meta http-equiv="refresh">}, no script), its only style is one inline stylesheet allowed by its hash, and
 * every value it shows is escaped, so it holds under {@link #CONTENT_SECURITY_POLICY}.
 *
 * <pre>{@code
 * HealthEndpoints.of(health, details).withPage(DashboardPage.of(registry::view));
 * }</pre>
 *
 * <p>Thread-safe when the view supplier is.
 */
public final class DashboardPage implements HtmlPage {

    private static final String STYLE = """
            body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;background:#fafafa;color:#222}\
            h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.1em;margin:1.2em 0 .4em}h3{font-size:1em;margin:0 0 .4em}\
            .grid{display:flex;flex-wrap:wrap;gap:1em}article{background:#fff;border:1px solid #ccc;border-left:6px solid #999;\
            padding:.6em .8em;flex:1 1 24em;max-width:44em}table{border-collapse:collapse}td,th{padding:.1em .5em;text-align:left;\
            border-bottom:1px solid #eee;vertical-align:top}dl{display:grid;grid-template-columns:auto 1fr;gap:0 .8em;margin:.3em 0}\
            dt{color:#666}dd{margin:0}.badge{display:inline-block;padding:.1em .6em;border-radius:.8em;color:#fff;background:#999}\
            .ok{border-left-color:#2e7d32}.badge.ok,td.ok{background:#2e7d32;color:#fff}.warn{border-left-color:#ef8f00}\
            .badge.warn,td.warn{background:#ef8f00;color:#fff}.bad{border-left-color:#c62828}.badge.bad,td.bad{background:#c62828;color:#fff}\
            .gone{opacity:.55;border-left-color:#555}.badge.gone{background:#555}.muted{color:#666}""";

    /** The page's policy: nothing may load but its own stylesheet, no script, no frame, no form. */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; style-src '" + sha256(STYLE)
            + "'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final Supplier<DeploymentView> views;

    private DashboardPage(Supplier<DeploymentView> views) {
        this.views = views;
    }

    /** The page of the view {@code views} gives at each request. */
    public static DashboardPage of(Supplier<DeploymentView> views) {
        return new DashboardPage(Objects.requireNonNull(views, "views"));
    }

    @Override
    public String render() {
        return render(views.get());
    }

    @Override
    public String contentSecurityPolicy() {
        return CONTENT_SECURITY_POLICY;
    }

    /** The document for {@code view}. */
    public static String render(DeploymentView view) {
        Status readiness = view.readiness();
        StringBuilder html = new StringBuilder(8192).append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"refresh\" content=\"1\"><meta name=\"viewport\" content=\"width=device-width\">")
                .append("<title>RepoRadar deployment: ").append(readiness.name()).append("</title><style>").append(STYLE)
                .append("</style></head><body><h1>RepoRadar deployment</h1><p>readiness <span id=\"deployment-readiness\" class=\"badge ")
                .append(tone(readiness)).append("\">").append(readiness.name()).append("</span> <span id=\"live-count\">")
                .append(view.live().size()).append("</span> live of ").append(view.instances().size()).append(" instances known")
                .append(" <span class=\"muted\">at ").append(DateTimeFormatter.ISO_INSTANT.format(view.time().truncatedTo(ChronoUnit.MILLIS)))
                .append(", refreshed every second</span></p><h2>Instances</h2><div class=\"grid\" id=\"instances\">");
        for (InstanceReport instance : view.instances()) {
            instance(html, instance, view.gone(instance));
        }
        html.append("</div><h2>Deployment</h2><div class=\"grid\" id=\"deployment\">");
        for (DeploymentView.Section section : view.sections()) {
            html.append("<article class=\"").append(tone(section.status())).append("\"><h3>").append(escape(section.title())).append("</h3>");
            figures(html, section.rows());
            html.append("</article>");
        }
        return html.append("</div></body></html>").toString();
    }

    private static void instance(StringBuilder html, InstanceReport instance, boolean gone) {
        String state = gone ? "GONE" : instance.lifecycle();
        String tone = gone ? "gone" : instance.lifecycle().equals("READY") ? tone(instance.readiness()) : "warn";
        html.append("<article class=\"instance ").append(tone).append("\" data-instance=\"").append(escape(instance.id()))
                .append("\" data-state=\"").append(escape(state)).append("\"><h3>").append(escape(instance.id()))
                .append(" <span class=\"badge ").append(tone).append("\">").append(escape(state)).append("</span></h3><dl>")
                .append("<dt>readiness</dt><dd>").append(escape(instance.readiness())).append("</dd><dt>lifecycle</dt><dd>")
                .append(escape(instance.lifecycle())).append("</dd><dt>in flight</dt><dd>").append(instance.inFlight())
                .append("</dd><dt>last heard</dt><dd>").append(String.format(Locale.ROOT, "%.1f s ago", instance.ageMillis() / 1000.0))
                .append("</dd></dl><table><tr><th>check</th><th>status</th><th>latency</th><th>reason, details</th></tr>");
        for (InstanceReport.Check check : instance.checks()) {
            html.append("<tr><td>").append(escape(check.name())).append("</td><td class=\"").append(tone(check.status())).append("\">")
                    .append(escape(check.status())).append("</td><td>").append(check.durationMs()).append(" ms</td><td>");
            String reason = check.reason();
            if (reason != null) {
                html.append(escape(reason)).append(check.details().isEmpty() ? "" : "; ");
            }
            html.append(escape(check.details())).append("</td></tr>");
        }
        html.append("</table>");
        if (!instance.pool().isEmpty()) {
            html.append("<h3>pool</h3>");
            figures(html, instance.pool());
        }
        html.append("</article>");
    }

    private static void figures(StringBuilder html, Map<String, String> rows) {
        html.append("<dl>");
        rows.forEach((label, value) -> html.append("<dt>").append(escape(label)).append("</dt><dd>").append(escape(value)).append("</dd>"));
        html.append("</dl>");
    }

    private static String tone(Status status) {
        return switch (status) {
            case UP -> "ok";
            case WARN, UNKNOWN -> "warn";
            case DOWN, OUT_OF_SERVICE -> "bad";
        };
    }

    private static String tone(String status) {
        try {
            return tone(Status.valueOf(status));
        } catch (IllegalArgumentException unknown) {
            return "warn";
        }
    }

    /** {@code text} fit for an element's content or a quoted attribute. */
    static String escape(@Nullable String text) {
        if (text == null) {
            return "";
        }
        StringBuilder escaped = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String entity = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&#39;";
                default -> null;
            };
            if (entity != null && escaped == null) {
                escaped = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (escaped != null && entity != null) {
                escaped.append(entity);
            } else if (escaped != null) {
                escaped.append(c);
            }
        }
        return escaped == null ? text : escaped.toString();
    }

    private static String sha256(String text) {
        try {
            return "sha256-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
