/**
 * Implementation details of the health module (JSON and timestamp writing); not an API, may change at any time.
 */
@NullMarked
package io.reporadar.health.internal;

import org.jspecify.annotations.NullMarked;
