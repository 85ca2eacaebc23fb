/**
 * Encrypted session storage in Redis, shared by every instance of a service.
 */
package io.reporadar.session;
