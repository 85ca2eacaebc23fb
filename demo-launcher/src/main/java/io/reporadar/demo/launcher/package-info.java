/**
 * The one-command local demo topology ({@link io.reporadar.demo.launcher.Topology}): the demo service's
 * instances with Redis, PostgreSQL and nginx started the way the tests start them.
 */
@NullMarked
package io.reporadar.demo.launcher;

import org.jspecify.annotations.NullMarked;
