package io.reporadar.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.session.servlet.SessionFilter;
import io.reporadar.testing.RedisExtension;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The servlet filter in Jetty 12 in front of real Redis: login, visits, logout, outages. */
class SessionFilterIT {

    @RegisterExtension
    static final RedisExtension redis = RedisExtension.perClass();

    private Server server;
    private SessionStores.Opened opened;
    private final HttpClient http = HttpClient.newHttpClient();
    private String base;

    @BeforeEach
    void start() throws Exception {
        opened = SessionStores.fromEnvironment(Map.of("REDIS_URL", redis.uri(),
                "SESSION_SECRET", RedisSessionStoreIT.SECRET, "SESSION_ENCRYPTION_KEY", RedisSessionStoreIT.KEY_1), SessionCodec.allowing());
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.addFilter(new FilterHolder(new SessionFilter(opened.store(), SessionFilter.CookieSettings.defaults().secure(false))),
                "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new HttpServlet() {
            @Override
            protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                switch (req.getRequestURI()) {
                    case "/login" -> {
                        SessionFilter.session(req).set("user", req.getParameter("user"));
                        SessionFilter.changeId(req);
                        resp.getWriter().write("welcome");
                    }
                    case "/logout" -> {
                        SessionFilter.invalidate(req);
                        resp.setStatus(204);
                    }
                    case "/notes" -> { // 60 kB per note: the ninth takes the session past 512 KiB
                        var session = SessionFilter.session(req);
                        int notes = session.names().size();
                        session.set("note" + notes, "n".repeat(60_000));
                        resp.getWriter().write("notes " + (notes + 1));
                    }
                    case "/outage-before-save" -> {
                        var session = SessionFilter.session(req);
                        redis.server().freeze(); // the load went through; the save will not
                        session.set("cart", "1 item");
                        resp.getWriter().write("the page that the save was to go with");
                    }
                    default -> resp.setStatus(404);
                }
            }

            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                if (req.getRequestURI().equals("/static")) {
                    resp.getWriter().write("no session touched");
                    return;
                }
                var session = SessionFilter.session(req);
                String user = session.get("user", String.class);
                if (user == null) {
                    resp.setStatus(401);
                    return;
                }
                Integer visits = session.get("visits", Integer.class);
                session.set("visits", visits == null ? 1 : visits + 1);
                resp.getWriter().write(user + " " + session.get("visits", Integer.class));
            }
        }), "/*");
        server.setHandler(context);
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
        opened.close();
    }

    @Test
    void loginVisitsAndLogoutAcrossRequests() throws Exception {
        HttpResponse<String> login = send("POST", "/login?user=ada", null);
        assertThat(login.body()).isEqualTo("welcome");
        String cookie = cookie(login);
        assertThat(login.headers().allValues("Set-Cookie")).singleElement().satisfies(header ->
                assertThat(header).startsWith("reporadar.sid=").contains("; HttpOnly").contains("; SameSite=Lax").doesNotContain("Secure"));

        assertThat(send("GET", "/me", cookie).body()).isEqualTo("ada 1");
        assertThat(send("GET", "/me", cookie).body()).isEqualTo("ada 2");

        assertThat(send("POST", "/logout", cookie).statusCode()).isEqualTo(204);
        assertThat(send("GET", "/me", cookie).statusCode()).isEqualTo(401);
    }

    @Test
    void aRequestThatNeverAsksForItsSessionCostsNoRoundTrip() throws Exception {
        String cookie = cookie(send("POST", "/login?user=ada", null));
        redis.server().call("CONFIG", "RESETSTAT");

        HttpResponse<String> page = send("GET", "/static", cookie);

        assertThat(page.body()).isEqualTo("no session touched");
        assertThat(String.valueOf(redis.server().call("INFO", "commandstats"))).doesNotContain("cmdstat_hgetall").doesNotContain("cmdstat_eval");
    }

    @Test
    void aTamperedCookieIsAFreshSessionNotAnError() throws Exception {
        String cookie = cookie(send("POST", "/login?user=ada", null));
        String tampered = cookie.substring(0, cookie.length() - 3) + "abc";
        assertThat(send("GET", "/me", tampered).statusCode()).isEqualTo(401);
    }

    @Test
    void aFrozenStoreIs503WithoutAStackTraceWithinTheTimeout() throws Exception {
        String cookie = cookie(send("POST", "/login?user=ada", null));
        redis.server().freeze();
        try {
            long started = System.nanoTime();
            HttpResponse<String> response = send("GET", "/me", cookie);
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).isEqualTo("{\"error\":\"session store unavailable\"}");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        } finally {
            redis.server().thaw();
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> send("GET", "/me", cookie).statusCode() == 200);
    }

    @Test
    void ofSeveralCookiesOfTheSessionsNameTheFirstNamingALiveSessionIsTaken() throws Exception {
        // A sibling subdomain can set a cookie of the same name for the parent domain, which the browser sends first.
        String cookie = cookie(send("POST", "/login?user=ada", null));
        String value = cookie.substring(cookie.indexOf('=') + 1);
        String planted = RedisSessionStoreIT.savedCookie(opened.store(), "user", "mallory");
        assertThat(send("GET", "/me", "reporadar.sid=forged.value; reporadar.sid=" + value).body()).isEqualTo("ada 1");
        assertThat(send("GET", "/me", "reporadar.sid=" + value + "; reporadar.sid=" + planted).body()).as("the first valid one")
                .isEqualTo("ada 2");
        String dead = opened.store().cookieValue(opened.store().create()); // signed, but names no session
        assertThat(send("GET", "/me", "reporadar.sid=" + dead + "; reporadar.sid=" + value).body()).as("a signed one naming none")
                .isEqualTo("ada 3");
    }

    @Test
    void aSessionGrownPastItsLimitIs413AndKeepsWhatItHad() throws Exception {
        String cookie = cookie(send("POST", "/login?user=ada", null));
        for (int i = 2; i <= 9; i++) { // the user and eight notes: 480 kB
            assertThat(send("POST", "/notes", cookie).body()).isEqualTo("notes " + i);
        }
        HttpResponse<String> tooMuch = send("POST", "/notes", cookie);
        assertThat(tooMuch.statusCode()).isEqualTo(413);
        assertThat(tooMuch.body()).isEqualTo("{\"error\":\"session too large\"}");
        assertThat(send("GET", "/me", cookie).body()).isEqualTo("ada 1");
    }

    @Test
    void aSaveThatFailsAfterTheServletWroteItsPageIs503WithoutThePage() throws Exception {
        String cookie = cookie(send("POST", "/login?user=ada", null));
        try {
            HttpResponse<String> response = send("POST", "/outage-before-save", cookie);
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).isEqualTo("{\"error\":\"session store unavailable\"}");
        } finally {
            redis.server().thaw();
        }
    }

    @Test
    void aLogoutDuringAnOutageStillClearsTheCookie() throws Exception {
        String cookie = cookie(send("POST", "/login?user=ada", null));
        redis.server().freeze();
        try {
            HttpResponse<String> logout = send("POST", "/logout", cookie);
            assertThat(logout.statusCode()).isEqualTo(503);
            assertThat(logout.headers().allValues("Set-Cookie")).singleElement()
                    .satisfies(header -> assertThat(header).startsWith("reporadar.sid=;").contains("Max-Age=0"));
        } finally {
            redis.server().thaw();
        }
    }

    private HttpResponse<String> send(String method, String path, @org.jspecify.annotations.Nullable String cookie) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).method(method, HttpRequest.BodyPublishers.noBody());
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String cookie(HttpResponse<?> response) {
        List<String> headers = response.headers().allValues("Set-Cookie");
        assertThat(headers).isNotEmpty();
        return headers.get(0).split(";", 2)[0];
    }
}
