package io.reporadar.health;

import io.reporadar.health.internal.IsoTime;
import io.reporadar.health.internal.Json;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The health HTTP endpoints, free of any server API: adapters pass method, path, query, {@code Accept}, the
 * caller's address kind and {@code Authorization}, and write back the {@link Response}.
 *
 * <table>
 *   <caption>Endpoints</caption>
 *   <tr><td>{@code /health}</td><td>readiness for load balancers: status only, 200 or 503</td></tr>
 *   <tr><td>{@code /health/ready}</td><td>the readiness group</td></tr>
 *   <tr><td>{@code /health/live}</td><td>the liveness group</td></tr>
 *   <tr><td>{@code /health/startup}</td><td>the startup group</td></tr>
 *   <tr><td>{@code /health/backend}</td><td>every group and check; {@code ?fresh} runs the checks now (single flight)</td></tr>
 *   <tr><td>{@code /health/group/<name>}</td><td>one of the user's groups</td></tr>
 * </table>
 *
 * <p>503 for DOWN and OUT_OF_SERVICE, 200 otherwise; {@code Cache-Control: no-store}; HEAD answered without
 * a body. Formats by {@code Accept}: our JSON tree ({@code application/json}, the default),
 * {@code application/health+json} (the IETF draft) and {@code text/plain}; with a {@link #withPage page}, an
 * allowed caller of {@code /health/backend} that lists {@code text/html} first (a browser) gets the page instead,
 * with its {@code Content-Security-Policy}. Details go only to callers the {@link DetailsPolicy} allows; nobody
 * ever gets a stack trace. Thread-safe.
 */
public final class HealthEndpoints {

    public static final String JSON = "application/json";
    public static final String HEALTH_JSON = "application/health+json";
    public static final String TEXT = "text/plain; charset=utf-8";
    public static final String HTML = "text/html; charset=utf-8";

    private final Health health;
    private final DetailsPolicy details;
    private final @Nullable HtmlPage page; // null: JSON and text only

    private HealthEndpoints(Health health, DetailsPolicy details, @Nullable HtmlPage page) {
        this.health = health;
        this.details = details;
        this.page = page;
    }

    public static HealthEndpoints of(Health health, DetailsPolicy details) {
        return new HealthEndpoints(health, details, null);
    }

    /**
     * These endpoints, with {@code page} for the callers of {@code /health/backend} the details policy allows and
     * that prefer {@code text/html}; the others get what they got before.
     */
    public HealthEndpoints withPage(HtmlPage page) {
        return new HealthEndpoints(health, details, Objects.requireNonNull(page, "page"));
    }

    /** Whether this path belongs to the health endpoints (adapters pass everything else on). */
    public static boolean handles(String path) {
        return path.equals("/health") || path.startsWith("/health/");
    }

    /** An HTTP answer: status, content type and body; the body is empty for HEAD. */
    public static final class Response {
        private final int status;
        private final String contentType;
        private final byte[] body;
        private final @Nullable String allow; // null: no Allow header
        private final @Nullable String policy; // null: no Content-Security-Policy header

        Response(int status, String contentType, String body, boolean head, @Nullable String allow) {
            this(status, contentType, body, head, allow, null);
        }

        private Response(int status, String contentType, String body, boolean head, @Nullable String allow, @Nullable String policy) {
            this.status = status;
            this.contentType = contentType;
            this.body = head ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            this.allow = allow;
            this.policy = policy;
        }

        public int status() {
            return status;
        }

        public String contentType() {
            return contentType;
        }

        public byte[] body() {
            return body;
        }

        /** Every header to send, {@code Content-Type} included. */
        public Map<String, String> headers() {
            if (policy != null) {
                return Map.of("Content-Type", contentType, "Cache-Control", "no-store", "Content-Security-Policy", policy,
                        "X-Content-Type-Options", "nosniff", "Referrer-Policy", "no-referrer");
            }
            return allow == null
                    ? Map.of("Content-Type", contentType, "Cache-Control", "no-store")
                    : Map.of("Content-Type", contentType, "Cache-Control", "no-store", "Allow", allow);
        }
    }

    /**
     * One request, as an adapter reads it from its server:
     * {@code Request.of("GET", "/health/backend").withAccept(accept).from(client)}.
     *
     * @param query         the raw query string, or {@code null}
     * @param accept        the {@code Accept} header, or {@code null}
     * @param client        the caller (behind a trusted proxy: the client it names), or {@code null} when unknown
     * @param authorization the {@code Authorization} header, or {@code null}
     */
    public record Request(String method, String path, @Nullable String query, @Nullable String accept, @Nullable InetAddress client,
            @Nullable String authorization) {

        public Request {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(path, "path");
        }

        /** {@code method} on {@code path}: no query, no {@code Accept}, an unknown client, no credentials. */
        public static Request of(String method, String path) {
            return new Request(method, path, null, null, null, null);
        }

        /** With the raw query string, or {@code null} for none. */
        public Request withQuery(@Nullable String query) {
            return new Request(method, path, query, accept, client, authorization);
        }

        /** With the {@code Accept} header, or {@code null} for none. */
        public Request withAccept(@Nullable String accept) {
            return new Request(method, path, query, accept, client, authorization);
        }

        /** The caller: behind a trusted proxy, the client the proxy names; {@code null} when unknown. */
        public Request from(@Nullable InetAddress client) {
            return new Request(method, path, query, accept, client, authorization);
        }

        /** With the {@code Authorization} header, or {@code null} for none. */
        public Request withAuthorization(@Nullable String authorization) {
            return new Request(method, path, query, accept, client, authorization);
        }

        /** Leaves the credentials out. */
        @Override
        public String toString() {
            return "Request[" + method + " " + path + (query == null ? "" : "?" + query) + (client == null ? "" : " from " + client.getHostAddress())
                    + (authorization == null ? "" : ", with credentials") + "]";
        }
    }

    /** Answers one request. */
    public Response handle(Request request) {
        String method = request.method();
        String path = request.path();
        String query = request.query();
        String accept = request.accept();
        InetAddress client = request.client();
        String authorization = request.authorization();
        boolean head = "HEAD".equals(method);
        if (!head && !"GET".equals(method)) {
            return new Response(405, JSON, "{\"error\":\"method not allowed\"}", false, "GET, HEAD");
        }
        boolean allowed = details.allows(client, authorization);
        HtmlPage html = path.equals("/health/backend") && allowed ? page : null;
        Format format = Format.of(accept, html != null);
        if (html != null && format == Format.HTML) {
            String document;
            try {
                document = html.render();
            } catch (RuntimeException e) {
                return new Response(500, JSON, "{\"error\":\"the page cannot be rendered\"}", head, null);
            }
            return new Response(200, HTML, document, head, null, html.contentSecurityPolicy());
        }
        if (path.equals("/health")) {
            HealthSnapshot snapshot = health.snapshot();
            return render(snapshot, "readiness", snapshot.readiness(), List.of(), false, format, head);
        }
        String group = switch (path) {
            case "/health/ready" -> CheckSpec.READINESS;
            case "/health/live" -> CheckSpec.LIVENESS;
            case "/health/startup" -> CheckSpec.STARTUP;
            case "/health/backend" -> null;
            default -> path.startsWith("/health/group/") ? path.substring("/health/group/".length()) : "";
        };
        if ("".equals(group)) {
            return new Response(404, JSON, "{\"error\":\"no such health endpoint\"}", head, null);
        }
        boolean fresh = group == null && allowed && query != null && List.of(query.split("&")).contains("fresh");
        HealthSnapshot snapshot = fresh ? health.evaluateNow() : health.snapshot();
        if (group == null) {
            return render(snapshot, null, snapshot.overall(), snapshot.checks(), allowed, format, head);
        }
        if (!snapshot.groups().containsKey(group)) {
            return new Response(404, JSON, "{\"error\":\"no such health group\"}", head, null);
        }
        return render(snapshot, group, snapshot.group(group), snapshot.checks(group), allowed, format, head);
    }

    /** The answer for {@code group}, or for every group when it is {@code null} ({@code /health/backend}). */
    private Response render(HealthSnapshot snapshot, @Nullable String group, Status status, List<CheckStatus> checks, boolean details,
            Format format, boolean head) {
        String body = switch (format) {
            case HEALTH_JSON -> healthJson(snapshot, status, checks, details);
            case TEXT -> text(group, status, checks, details);
            default -> json(snapshot, group, status, checks, details);
        };
        return new Response(status.httpStatus(), format.contentType, body, head, null);
    }

    /** Our tree: status, lifecycle, groups and checks with their results. */
    static String json(HealthSnapshot snapshot, @Nullable String group, Status status, List<CheckStatus> checks, boolean details) {
        Json json = new Json().begin().field("status", status.name());
        if (!details) {
            return json.end().toString();
        }
        if (group != null) {
            json.field("group", group);
        }
        json.field("lifecycle", snapshot.lifecycle().name()).field("time", IsoTime.format(snapshot.time()));
        if (group == null) {
            json.key("groups").begin();
            snapshot.groups().forEach((name, s) -> json.field(name, s.name()));
            json.end();
        }
        json.key("checks").begin();
        for (CheckStatus check : checks) {
            json.key(check.name()).raw(check.json(() -> checkJson(check)));
        }
        return json.end().end().toString();
    }

    private static String checkJson(CheckStatus check) {
        Result result = check.result();
        Json json = new Json().begin().field("status", result.status().name());
        if (result.reason() != null) {
            json.field("reason", result.reason());
        }
        json.field("critical", check.critical()).field("groups", check.groups());
        if (result.time() != null) {
            json.field("durationMs", result.duration().toMillis()).field("time", IsoTime.format(result.time()));
        }
        json.field("consecutiveFailures", check.consecutiveFailures());
        if (!result.details().isEmpty()) {
            json.field("details", result.details());
        }
        return json.end().toString();
    }

    /** The IETF draft's {@code application/health+json}: pass, warn, fail; one entry per check. */
    static String healthJson(HealthSnapshot snapshot, Status status, List<CheckStatus> checks, boolean details) {
        Json json = new Json().begin().field("status", ietf(status));
        if (!details) {
            return json.end().toString();
        }
        json.field("description", "reporadar health, lifecycle " + snapshot.lifecycle().name().toLowerCase(Locale.ROOT));
        json.key("checks").begin();
        for (CheckStatus check : checks) {
            Result result = check.result();
            json.key(check.name() + ":responseTime").beginArray().begin()
                    .field("componentId", check.name())
                    .field("componentType", check.groups().contains(CheckSpec.LIVENESS) ? "system" : "component")
                    .field("status", ietf(result.status()))
                    .field("observedValue", result.duration().toMillis())
                    .field("observedUnit", "ms");
            if (result.time() != null) {
                json.field("time", IsoTime.format(result.time()));
            }
            if (result.reason() != null) {
                json.field("output", result.reason());
            }
            json.end().endArray();
        }
        return json.end().end().toString();
    }

    /** Kubernetes-style text: one {@code [+]}/{@code [-]} line per check, then the verdict. */
    static String text(@Nullable String group, Status status, List<CheckStatus> checks, boolean details) {
        StringBuilder text = new StringBuilder();
        if (details) {
            for (CheckStatus check : checks) {
                boolean ok = check.status().acceptsTraffic();
                text.append(ok ? "[+]" : "[-]").append(check.name()).append(' ')
                        .append(ok ? check.status() == Status.UP ? "ok" : check.status().name().toLowerCase(Locale.ROOT)
                                : "failed: " + (check.result().reason() == null ? check.status().name() : check.result().reason()))
                        .append('\n');
            }
        }
        return text.append(group == null ? "health" : group).append(" check ")
                .append(status.acceptsTraffic() ? "passed" : "failed").append(" (").append(status.name()).append(")\n").toString();
    }

    private static String ietf(Status status) {
        return switch (status) {
            case UP -> "pass";
            case WARN, UNKNOWN -> "warn";
            default -> "fail";
        };
    }

    private enum Format {
        JSON(HealthEndpoints.JSON), HEALTH_JSON(HealthEndpoints.HEALTH_JSON), TEXT(HealthEndpoints.TEXT), HTML(HealthEndpoints.HTML);

        final String contentType;

        Format(String contentType) {
            this.contentType = contentType;
        }

        /**
         * The first acceptable format in the order the caller lists them (HTML only when {@code html}: a page is
         * there for this caller); JSON when nothing matches.
         */
        static Format of(@Nullable String accept, boolean html) {
            if (accept == null) {
                return JSON;
            }
            for (String range : accept.split(",", -1)) {
                int parameters = range.indexOf(';');
                String type = (parameters < 0 ? range : range.substring(0, parameters)).strip().toLowerCase(Locale.ROOT);
                Format format = switch (type) {
                    case "application/health+json" -> HEALTH_JSON;
                    case "application/json", "application/*", "*/*" -> JSON;
                    case "text/plain", "text/*" -> TEXT;
                    case "text/html", "application/xhtml+xml" -> html ? HTML : null;
                    default -> null; // not one of ours (an empty range included): the next one decides
                };
                if (format != null) {
                    return format;
                }
            }
            return JSON;
        }
    }
}
