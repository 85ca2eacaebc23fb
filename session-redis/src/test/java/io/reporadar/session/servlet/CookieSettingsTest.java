package io.reporadar.session.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CookieSettingsTest {

    @Test
    void theHostPrefixNamesTheCookieAndKeepsWhatBrowsersRequireOfIt() {
        SessionFilter.CookieSettings host = SessionFilter.CookieSettings.defaults().hostPrefix();
        assertThat(host.header("v", false)).isEqualTo("__Host-reporadar.sid=v; Path=/; HttpOnly; Secure; SameSite=Lax");
        assertThat(host.header("", true)).startsWith("__Host-reporadar.sid=; Path=/;").contains("; Secure").endsWith("; Max-Age=0")
                .doesNotContain("Domain");
        assertThat(host.hostPrefix().header("v", false)).as("prefixed once").startsWith("__Host-reporadar.sid=");
        assertThatThrownBy(() -> host.secure(false)).hasMessage("session cookie __Host-reporadar.sid: a __Host- cookie must be Secure");
        assertThatThrownBy(() -> SessionFilter.CookieSettings.defaults().secure(false).hostPrefix())
                .hasMessage("session cookie reporadar.sid: a __Host- cookie must be Secure");
    }
}
