/**
 * Micrometer meters for the connection budget; needs {@code io.micrometer:micrometer-core} on the class path.
 */
package io.reporadar.pooling.micrometer;
