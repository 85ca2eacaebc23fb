/**
 * Connection budget guards for several instances sharing one PostgreSQL server.
 */
@NullMarked
package io.reporadar.pooling;

import org.jspecify.annotations.NullMarked;
