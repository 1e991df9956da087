package io.sluice.certs;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;

/** The key algorithms Sluice generates. EC P-256 is the default: small, fast, accepted everywhere. */
public enum KeyType {
    EC_P256,
    RSA_2048;

    KeyPair generate(SecureRandom random) {
        try {
            KeyPairGenerator generator;
            if (this == EC_P256) {
                generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            } else {
                generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048, random);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot generate " + this + " keys", e);
        }
    }

    /**
     * The signature algorithm a key of this family signs with. Decided by the key, not by a
     * {@code KeyType}, because a CA loaded from a Secret may have been made by someone else.
     */
    static String signatureAlgorithm(PrivateKey key) {
        return switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default ->
                throw new IllegalArgumentException(
                        "unsupported key algorithm " + key.getAlgorithm() + " (expected EC or RSA)");
        };
    }
}
