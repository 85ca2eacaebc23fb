package io.reporadar.health;

/**
 * A page {@link HealthEndpoints} serves on {@code /health/backend} to internal callers that prefer
 * {@code text/html} (browsers), with the Content-Security-Policy it needs; JSON clients keep the JSON.
 *
 * <p>Implementations must be thread-safe: every request renders the page anew.
 */
public interface HtmlPage {

    /** The whole document, every value escaped. */
    String render();

    /** The {@code Content-Security-Policy} header the page is sent with (it must hold without external assets). */
    String contentSecurityPolicy();
}
