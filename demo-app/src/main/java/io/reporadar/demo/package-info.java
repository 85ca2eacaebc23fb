/**
 * The RepoRadar demo service ({@link io.reporadar.demo.DemoApp}), its settings and the nginx configuration in
 * front of it (the one-command local topology is in the {@code demo-launcher} module).
 */
@NullMarked
package io.reporadar.demo;

import org.jspecify.annotations.NullMarked;
