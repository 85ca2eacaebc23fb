/**
 * How the fixtures find binaries, run and reap processes and pick ports; not an API, it may change in any release.
 */
@NullMarked
package io.reporadar.testing.internal;

import org.jspecify.annotations.NullMarked;
