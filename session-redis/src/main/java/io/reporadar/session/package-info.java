/**
 * Encrypted session storage in Redis, shared by every instance of a service.
 */
@NullMarked
package io.reporadar.session;

import org.jspecify.annotations.NullMarked;
