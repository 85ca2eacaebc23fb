/**
 * Health, readiness and liveness checks for instances behind a load balancer.
 */
@NullMarked
package io.reporadar.health;

import org.jspecify.annotations.NullMarked;
