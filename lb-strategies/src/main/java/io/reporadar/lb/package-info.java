/**
 * Load-balancing strategies over a set of endpoints, free of HTTP types.
 */
package io.reporadar.lb;
