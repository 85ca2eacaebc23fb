package io.reporadar.spring.sample;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Boot application as its authors would write it for Spring Session Data Redis: {@code HttpSession} only, nothing
 * of the toolkit in its code. The starter is switched in by the dependency and properties alone.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class SampleApplication {

    /** Starts an instance on a free port with the given properties (as a deployment's environment would give them). */
    public static ConfigurableApplicationContext start(Map<String, Object> properties) {
        return start(SampleApplication.class, properties);
    }

    /**
     * Starts {@code application} with the properties as command-line arguments: they win over the machine's
     * environment (a {@code REDIS_URL} there must not redirect a test to another server).
     */
    public static ConfigurableApplicationContext start(Class<?> application, Map<String, Object> properties) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--management.endpoints.web.exposure.include=health,metrics",
                "--management.endpoint.health.show-details=always", "--spring.main.banner-mode=off"));
        properties.forEach((name, value) -> args.add("--" + name + "=" + value));
        return new SpringApplicationBuilder(application).run(args.toArray(String[]::new));
    }

    @RestController
    static class Routes {

        @PostMapping("/login")
        String login(@RequestParam String user, HttpServletRequest request) {
            request.getSession(true).setAttribute("user", user);
            request.changeSessionId(); // against session fixation
            return "welcome " + user;
        }

        @GetMapping("/me")
        ResponseEntity<String> me(HttpServletRequest request) {
            HttpSession session = request.getSession(false);
            Object user = session == null ? null : session.getAttribute("user");
            return user == null ? ResponseEntity.status(401).body("not logged in") : ResponseEntity.ok(String.valueOf(user));
        }

        /** Loads the session, changes one attribute and saves it: the benchmark's request. */
        @PostMapping("/visit")
        String visit(HttpSession session) {
            Integer visits = (Integer) session.getAttribute("visits");
            int next = visits == null ? 1 : visits + 1;
            session.setAttribute("visits", next);
            return Integer.toString(next);
        }

        @PostMapping("/logout")
        String logout(HttpServletRequest request) {
            HttpSession session = request.getSession(false);
            if (session != null) {
                session.invalidate();
            }
            return "bye";
        }

        @GetMapping("/slow")
        String slow(@RequestParam long millis) throws InterruptedException {
            Thread.sleep(millis);
            return "done";
        }
    }
}
