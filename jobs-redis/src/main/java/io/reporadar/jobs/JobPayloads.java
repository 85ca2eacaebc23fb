package io.reporadar.jobs;

import io.reporadar.session.KeyRing;
import io.reporadar.session.internal.SessionCipher;
import java.nio.charset.StandardCharsets;

/**
 * A queue's payloads and results as Redis holds them: within the size limit, encrypted with the key ring
 * (XAES-256-GCM) and bound to the queue, the job and what they are, so that neither a payload copied to another job
 * nor a result read as a payload decrypts.
 *
 * <p>Immutable and thread-safe.
 */
final class JobPayloads {

    private final String queue;
    private final SessionCipher cipher;
    private final int maxBytes;

    JobPayloads(String queue, KeyRing keys, int maxBytes) {
        this.queue = queue;
        this.cipher = SessionCipher.of(keys);
        this.maxBytes = maxBytes;
    }

    /**
     * {@code bytes}, when within the limit.
     *
     * @throws IllegalArgumentException naming {@code what} ("payload", "result"), the job type, the size and the limit
     */
    byte[] check(String what, String type, byte[] bytes) {
        if (bytes.length > maxBytes) {
            throw new IllegalArgumentException(what + " of a '" + type + "' job: " + bytes.length + " bytes (expected: at most "
                    + maxBytes + " bytes, the queue's maxPayloadBytes)");
        }
        return bytes;
    }

    byte[] sealPayload(JobId id, byte[] payload) {
        return cipher.encrypt(boundTo(id, ""), payload);
    }

    /** @throws io.reporadar.session.internal.SessionDataException when it does not decrypt */
    byte[] openPayload(JobId id, byte[] sealed) {
        return cipher.decrypt(boundTo(id, ""), sealed);
    }

    byte[] sealResult(JobId id, byte[] result) {
        return cipher.encrypt(boundTo(id, "/result"), result);
    }

    /** @throws io.reporadar.session.internal.SessionDataException when it does not decrypt */
    byte[] openResult(JobId id, byte[] sealed) {
        return cipher.decrypt(boundTo(id, "/result"), sealed);
    }

    /** The associated data: the queue, the job and what it is. */
    private byte[] boundTo(JobId id, String what) {
        return ("reporadar-jobs/" + queue + "/" + id.value() + what).getBytes(StandardCharsets.UTF_8);
    }
}
