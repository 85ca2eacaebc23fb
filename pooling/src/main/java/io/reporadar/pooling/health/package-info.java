/**
 * The connection budget as a health check; needs {@code io.reporadar:reporadar-health} on the class path.
 */
@NullMarked
package io.reporadar.pooling.health;

import org.jspecify.annotations.NullMarked;
