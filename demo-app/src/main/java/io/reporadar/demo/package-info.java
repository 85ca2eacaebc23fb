/**
 * The RepoRadar demo service ({@link io.reporadar.demo.DemoApp}), its settings, the nginx configuration in front
 * of it and the one-command local topology.
 */
@NullMarked
package io.reporadar.demo;

import org.jspecify.annotations.NullMarked;
