package io.reporadar.benchmarks;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The application {@link BootSessionBenchmark} runs twice behind nginx: plain {@code HttpSession} code, as written for
 * Spring Session Data Redis. Which repository serves it is decided by properties alone
 * ({@code reporadar.session.enabled}), so both contenders run the same code.
 *
 * <pre>
 * java -cp benchmarks/target/classes:$(cat benchmarks/target/classpath.txt) io.reporadar.benchmarks.SessionBenchApp \
 *     --server.port=8080 --REDIS_URL=redis://127.0.0.1:6379 --SESSION_SECRET=... --SESSION_ENCRYPTION_KEY=...
 * </pre>
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class SessionBenchApp {

    /** The login's attributes besides {@code user}: a realistic session of about 1 KiB with {@code visits}. */
    static final int PROFILE_CHARS = 640;

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(SessionBenchApp.class);
        application.setDefaultProperties(java.util.Map.of("spring.main.banner-mode", "off"));
        application.run(args);
    }

    /** The routes: a login that seeds the session, and the measured request. */
    @RestController
    static class Routes {

        /** Readiness for the benchmark: answers without touching a session. */
        @GetMapping("/ping")
        String ping() {
            return "pong";
        }

        /**
         * The same request through the same filters, touching no session: the ceiling of the application and the
         * machine, which no session repository can exceed.
         */
        @PostMapping("/no-session")
        String noSession() {
            return "1";
        }

        /** A new session of 8 attributes, about 1 KiB in all, under a new id (against session fixation). */
        @PostMapping("/login")
        String login(@RequestParam String user, HttpServletRequest request) {
            HttpSession session = request.getSession(true);
            session.setAttribute("user", user);
            session.setAttribute("displayName", "Benchmark User " + user);
            session.setAttribute("email", user + "@example.org");
            session.setAttribute("roles", "reader,writer,reviewer");
            session.setAttribute("locale", "en-GB");
            session.setAttribute("csrf", "q7Vb1Q3xv2m9bCz8kLrT0pWf4yHs6nJd5aEgKiOuXcM");
            session.setAttribute("profile", "x".repeat(PROFILE_CHARS));
            session.setAttribute("visits", 0);
            request.changeSessionId();
            return "welcome " + user;
        }

        /** Loads the session, changes one attribute and saves it: the measured request. */
        @PostMapping("/visit")
        String visit(HttpSession session) {
            Number visits = (Number) session.getAttribute("visits");
            int next = visits == null ? 1 : visits.intValue() + 1;
            session.setAttribute("visits", next);
            return Integer.toString(next);
        }
    }
}
