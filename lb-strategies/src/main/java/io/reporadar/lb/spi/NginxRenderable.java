package io.reporadar.lb.spi;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A strategy that nginx can approximate: {@link io.reporadar.lb.NginxUpstream} renders an {@code upstream}
 * block only for strategies that implement this, and puts their lines before the {@code server} lines.
 */
public interface NginxRenderable {

    /**
     * The strategy's lines of the {@code upstream} block, unindented, one line each: comments (starting with
     * {@code #}) saying where nginx differs, then the directives ({@code least_conn;},
     * {@code hash $cookie_sid consistent;}); no directive for nginx's default, round robin.
     *
     * @param hashKey the nginx expression to hash on, given when {@link #nginxNeedsHashKey()}, else
     *     {@code null}
     */
    List<String> nginxLines(@Nullable String hashKey);

    /** Whether the directive hashes on a key the caller must name ({@code NginxUpstream.Builder.hashKey}). */
    default boolean nginxNeedsHashKey() {
        return false;
    }

    /** Whether nginx accepts {@code backup} servers with it (it refuses them with hash, ip_hash and random). */
    default boolean nginxAllowsBackup() {
        return true;
    }
}
