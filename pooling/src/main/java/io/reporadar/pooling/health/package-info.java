/**
 * The connection budget as a health check; needs {@code io.reporadar:reporadar-health} on the class path.
 */
package io.reporadar.pooling.health;
