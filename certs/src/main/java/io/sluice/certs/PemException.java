package io.sluice.certs;

/**
 * Text that should have been PEM (a key or certificates) could not be read. The message names what
 * was expected and what was found, because it ends up in a log next to the name of a Secret.
 */
public final class PemException extends IllegalArgumentException {
    PemException(String message) {
        super(message);
    }

    PemException(String message, Throwable cause) {
        super(message, cause);
    }
}
