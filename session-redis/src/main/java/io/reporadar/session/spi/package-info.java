/**
 * For those who check or write a session store: {@link io.reporadar.session.spi.SessionStoreConformance}, the
 * contract every {@link io.reporadar.session.SessionStore} keeps, runnable in any test framework.
 */
@NullMarked
package io.reporadar.session.spi;

import org.jspecify.annotations.NullMarked;
