package io.reporadar.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.session.servlet.SessionFilter;
import io.reporadar.testing.ReadmeExamples;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.junit.jupiter.api.Test;

/**
 * The README's servlet example compiles as shown (its two halves, set-up and servlet code, side by side in one
 * method); {@code SessionFilterIT} runs the same calls through Jetty against a real Redis.
 */
class ServletReadmeExampleTest {

    record Cart(List<String> items) {
    }

    @Test
    void theReadmeShowsTheServletExampleThatCompilesHere() throws NoSuchMethodException {
        ReadmeExamples.assertReadmeShows(Path.of("README.md"), Path.of("src/test/java/io/reporadar/session/ServletReadmeExampleTest.java"));
        Method example = ServletReadmeExampleTest.class.getDeclaredMethod("example", ServletContextHandler.class,
                HttpServletRequest.class, Cart.class);
        assertThat(example).isNotNull();
    }

    @SuppressWarnings("unused") // compiled, not run: see the class comment
    private static void example(ServletContextHandler context, HttpServletRequest request, Cart cart) {
        // README example begins
        SessionStores.Opened sessions = SessionStores.fromEnvironment(System.getenv(), SessionCodec.allowing(Cart.class));
        context.addFilter(new FilterHolder(new SessionFilter(sessions.store(), SessionFilter.CookieSettings.defaults())),
                "/*", EnumSet.of(DispatcherType.REQUEST));

        // in a servlet
        Session session = SessionFilter.session(request);   // loaded on first use: requests that never ask cost nothing
        session.set("cart", cart);
        SessionFilter.changeId(request);                    // after login
        SessionFilter.invalidate(request);                  // logout: the cookie is cleared
        // README example ends
    }
}
