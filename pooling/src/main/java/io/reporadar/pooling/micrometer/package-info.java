/**
 * Micrometer meters for the connection budget; needs {@code io.micrometer:micrometer-core} on the class path.
 */
@NullMarked
package io.reporadar.pooling.micrometer;

import org.jspecify.annotations.NullMarked;
