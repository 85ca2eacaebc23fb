package io.reporadar.spring.session;

import io.reporadar.session.SessionStoreUnavailableException;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.session.web.http.SessionRepositoryFilter;

/**
 * Wraps Spring Session's filter for each request: answers {@code 503 Service Unavailable} with {@code Retry-After: 1},
 * not a 500 with a stack trace, when the session store did not answer in time (Redis restarting, a failover under
 * way), so that nginx tries another instance for idempotent requests and clients retry; and bounds the repository's
 * request scope ({@link StoreSessionRepository#openRequestScope()}), which spares Spring Session's second commit a
 * second load of the session it just saved.
 */
public final class SessionRequestFilter implements Filter, Ordered {

    private static final Logger LOG = LoggerFactory.getLogger(SessionRequestFilter.class);

    private final int order;

    /** @param order the filter's order: just below Spring Session's ({@link SessionRepositoryFilter#DEFAULT_ORDER} - 1) */
    public SessionRequestFilter(int order) {
        this.order = order;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        StoreSessionRepository.RequestScope scope = StoreSessionRepository.openRequestScope();
        try {
            chain.doFilter(request, response);
        } catch (IOException | ServletException | RuntimeException e) {
            SessionStoreUnavailableException unavailable = unavailable(e);
            if (unavailable == null || response.isCommitted() || !(response instanceof HttpServletResponse http)) {
                throw e;
            }
            LOG.warn("session store unavailable, answered 503: {}", unavailable.getMessage());
            http.reset(); // also forgets a writer a view already took, and its headers
            http.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            http.setHeader("Retry-After", "1");
            http.setContentType("text/plain;charset=UTF-8");
            http.getOutputStream().write("session store unavailable, retry shortly\n".getBytes(StandardCharsets.UTF_8));
        } finally {
            scope.close();
        }
    }

    private static @Nullable SessionStoreUnavailableException unavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SessionStoreUnavailableException e) {
                return e;
            }
        }
        return null;
    }

    @Override
    public int getOrder() {
        return order;
    }
}
