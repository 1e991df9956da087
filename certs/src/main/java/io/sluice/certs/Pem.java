package io.sluice.certs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.util.io.pem.PemHeader;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * PEM in and out. Writes keys as PKCS#8; reads PKCS#8, PKCS#1 ({@code RSA PRIVATE KEY}) and SEC1
 * ({@code EC PRIVATE KEY}), because cert-manager and openssl write all three into Secrets.
 */
public final class Pem {

    static final String CERTIFICATE = "CERTIFICATE";
    static final String PRIVATE_KEY = "PRIVATE KEY";
    static final String RSA_PRIVATE_KEY = "RSA PRIVATE KEY";
    static final String EC_PRIVATE_KEY = "EC PRIVATE KEY";
    private static final String KEY_TYPES = PRIVATE_KEY + ", " + RSA_PRIVATE_KEY + " or " + EC_PRIVATE_KEY;

    private Pem() {}

    public static String encode(X509Certificate cert) {
        try {
            return write(List.of(new PemObject(CERTIFICATE, cert.getEncoded())));
        } catch (CertificateException e) {
            throw new IllegalArgumentException("cannot encode certificate " + cert.getSubjectX500Principal(), e);
        }
    }

    /** Several certificates in one text, in the given order: a chain or a {@code caBundle}. */
    public static String encodeAll(List<X509Certificate> certs) {
        StringBuilder pem = new StringBuilder();
        certs.forEach(cert -> pem.append(encode(cert)));
        return pem.toString();
    }

    /** PKCS#8, {@code -----BEGIN PRIVATE KEY-----}. */
    public static String encode(PrivateKey key) {
        if (!"PKCS#8".equals(key.getFormat())) {
            throw new IllegalArgumentException(
                    "cannot encode a " + key.getAlgorithm() + " key whose format is " + key.getFormat());
        }
        return write(List.of(new PemObject(PRIVATE_KEY, key.getEncoded())));
    }

    /**
     * Exactly one certificate.
     *
     * @throws PemException if the text holds no block, another kind of block, or several certificates
     */
    public static X509Certificate readCertificate(String pem) {
        List<X509Certificate> certs = readCertificates(pem);
        if (certs.size() != 1) {
            throw new PemException("expected exactly one " + CERTIFICATE + ", found " + certs.size());
        }
        return certs.get(0);
    }

    /**
     * One or more certificates, in order; text between the blocks is ignored, as openssl does.
     *
     * @throws PemException if there is no block, or any block is not a valid certificate
     */
    public static List<X509Certificate> readCertificates(String pem) {
        List<PemObject> blocks = blocks(pem, CERTIFICATE);
        List<X509Certificate> certs = new ArrayList<>(blocks.size());
        for (int i = 0; i < blocks.size(); i++) {
            PemObject block = blocks.get(i);
            if (!CERTIFICATE.equals(block.getType())) {
                throw new PemException(
                        "expected " + CERTIFICATE + ", found " + block.getType() + blockPosition(i, blocks));
            }
            certs.add(certificate(block.getContent(), i, blocks));
        }
        return List.copyOf(certs);
    }

    /**
     * A single private key in PKCS#8, PKCS#1 or SEC1 form. Encrypted keys are refused: nothing in a
     * Kubernetes Secret could hold their passphrase.
     *
     * @throws PemException if the text is not exactly one readable, unencrypted private key
     */
    public static PrivateKey readPrivateKey(String pem) {
        List<PemObject> blocks = blocks(pem, KEY_TYPES);
        if (blocks.size() != 1) {
            throw new PemException("expected one private key (" + KEY_TYPES + "), found " + blocks.size()
                    + " PEM blocks: " + blocks.stream().map(PemObject::getType).toList());
        }
        PemObject block = blocks.get(0);
        String type = block.getType();
        if (type.equals("ENCRYPTED PRIVATE KEY") || isLegacyEncrypted(block)) {
            throw new PemException("found an encrypted " + type + "; expected an unencrypted " + KEY_TYPES);
        }
        PrivateKeyInfo info;
        try {
            info = switch (type) {
                case PRIVATE_KEY -> PrivateKeyInfo.getInstance(block.getContent());
                case RSA_PRIVATE_KEY ->
                    new PrivateKeyInfo(
                            new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                            RSAPrivateKey.getInstance(block.getContent()));
                case EC_PRIVATE_KEY -> {
                    ECPrivateKey sec1 = ECPrivateKey.getInstance(block.getContent());
                    if (sec1.getParametersObject() == null) {
                        throw new PemException("the " + EC_PRIVATE_KEY + " does not name its curve");
                    }
                    yield new PrivateKeyInfo(
                            new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, sec1.getParametersObject()),
                            sec1);
                }
                default -> throw new PemException("expected " + KEY_TYPES + ", found " + type);
            };
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            if (e instanceof PemException pemException) {
                throw pemException;
            }
            throw new PemException("the " + type + " block is not a valid " + type + ": " + e.getMessage(), e);
        }
        try {
            return new JcaPEMKeyConverter().getPrivateKey(info);
        } catch (IOException e) {
            throw new PemException("the " + type + " block holds a key the JDK cannot load: " + e.getMessage(), e);
        }
    }

    private static X509Certificate certificate(byte[] der, int index, List<PemObject> blocks) {
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            return (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException e) {
            throw new PemException(
                    "the " + CERTIFICATE + " block" + blockPosition(index, blocks)
                            + " is not a valid X.509 certificate: " + e.getMessage(),
                    e);
        }
    }

    /** Every PEM block in the text; at least one, else the message says what was expected. */
    private static List<PemObject> blocks(String pem, String expected) {
        if (pem == null || pem.isBlank()) {
            throw new PemException("expected " + expected + ", found empty text");
        }
        List<PemObject> blocks = new ArrayList<>();
        try (PemReader reader = new PemReader(new StringReader(pem))) {
            for (PemObject block = reader.readPemObject(); block != null; block = reader.readPemObject()) {
                blocks.add(block);
            }
        } catch (IOException e) {
            throw new PemException("malformed PEM while looking for " + expected + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // Older BouncyCastle versions let base64 errors escape unchecked.
            throw new PemException("malformed PEM while looking for " + expected + ": " + e.getMessage(), e);
        }
        if (blocks.isEmpty()) {
            throw new PemException("expected " + expected + ", found no PEM block (no -----BEGIN ...----- line)");
        }
        return blocks;
    }

    /** openssl's traditional format marks encryption with a header, not with the block type. */
    private static boolean isLegacyEncrypted(PemObject block) {
        for (Object header : block.getHeaders()) {
            PemHeader pemHeader = (PemHeader) header;
            if ("Proc-Type".equalsIgnoreCase(pemHeader.getName())
                    && pemHeader.getValue().toUpperCase(Locale.ROOT).contains("ENCRYPTED")) {
                return true;
            }
        }
        return false;
    }

    private static String blockPosition(int index, List<PemObject> blocks) {
        return blocks.size() == 1 ? "" : " (block " + (index + 1) + " of " + blocks.size() + ")";
    }

    private static String write(List<PemObject> objects) {
        StringWriter text = new StringWriter();
        try (PemWriter writer = new PemWriter(text)) {
            for (PemObject object : objects) {
                writer.writeObject(object);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a StringWriter cannot fail", e);
        }
        return text.toString();
    }
}
