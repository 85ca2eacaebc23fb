package io.reporadar.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.testing.NodePeers;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@code express} cookie format against the real Node packages the original RepoRadar ran: cookies that
 * {@code express-session} 1.19.0 sets are read here, and cookies signed here are read the way it reads them
 * ({@code cookie.parse}, then {@code cookie-signature}'s {@code unsign}).
 */
class ExpressCookiesIT {

    private static final String SECRET = RedisSessionStoreIT.SECRET;

    /** An express-session server on a free port, asked for one session per id; and express-session's reading of ours. */
    private static final String SCRIPT = """
            const http = require('http');
            const session = require('express-session');
            const cookie = require('cookie');
            const signature = require('cookie-signature');
            const [secret, ids, ours] = process.argv.slice(2).map((list) => list.split(','));
            let next = 0;
            const middleware = session({ secret: secret[0], genid: () => ids[next++], resave: false, saveUninitialized: true });
            const server = http.createServer((req, res) => middleware(req, res, () => { req.session.visits = 1; res.end('ok'); }));
            server.listen(0, '127.0.0.1', async () => {
              for (let i = 0; i < ids.length; i++) {
                const setCookie = await new Promise((resolve, reject) => http.get(
                    { host: '127.0.0.1', port: server.address().port, path: '/' },
                    (res) => { res.resume(); resolve(res.headers['set-cookie'][0]); }).on('error', reject));
                console.log('set ' + setCookie.split(';')[0].split('=').slice(1).join('='));
              }
              for (const value of ours) {
                const raw = cookie.parse('connect.sid=' + value)['connect.sid'];
                console.log('read ' + (raw.startsWith('s:') ? signature.unsign(raw.slice(2), secret[0]) : false));
              }
              server.close();
            });
            """;

    @Test
    void cookiesExpressSessionSetsAreReadAndOursAreReadByIt() {
        NodePeers peers = NodePeers.install("express-session@1.19.0");
        SessionSecrets secrets = SessionSecrets.of(SECRET, List.of(), SessionSecrets.CookieFormat.EXPRESS);
        List<String> ids = new ArrayList<>();
        List<String> ours = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ids.add(SessionSecrets.newSessionId());
            ours.add(secrets.sign(ids.get(i)));
        }

        List<String> lines = peers.run(SCRIPT, SECRET, String.join(",", ids), String.join(",", ours));

        List<String> set = lines.stream().filter(line -> line.startsWith("set ")).map(line -> line.substring(4)).toList();
        assertThat(set).hasSize(200);
        long escaped = set.stream().filter(value -> value.contains("%2B") || value.contains("%2F")).count();
        assertThat(escaped).as("cookies whose signature has a '+' or '/' (percent-encoded by express-session)").isGreaterThan(100);
        for (int i = 0; i < 200; i++) {
            assertThat(secrets.verify(set.get(i))).as(set.get(i)).contains(ids.get(i));
        }
        assertThat(lines.stream().filter(line -> line.startsWith("read ")).map(line -> line.substring(5)).toList())
                .as("ours as express-session reads them").containsExactlyElementsOf(ids);
        System.out.printf("express-session 1.19.0: %d cookies read, %d of them with %%2B or %%2F; 200 of ours read by it%n", set.size(),
                escaped);
    }

    @Test
    void aMalformedEscapeOrATamperedSignatureIsNoSession() {
        SessionSecrets secrets = SessionSecrets.of(SECRET, List.of(), SessionSecrets.CookieFormat.EXPRESS);
        String id = SessionSecrets.newSessionId();
        String signed = secrets.sign(id).replace(":", "%3A").replace("+", "%2B").replace("/", "%2F");
        assertThat(secrets.verify(signed)).contains(id);
        assertThat(secrets.verify(signed + "%")).isEmpty();
        assertThat(secrets.verify(signed.replace("%3A", "%3G"))).isEmpty();
        assertThat(secrets.verify(signed.replace("%3A", "%C3%A9"))).isEmpty();
        assertThat(secrets.verify(signed.substring(0, signed.length() - 2) + "AA")).isEmpty();
    }
}
