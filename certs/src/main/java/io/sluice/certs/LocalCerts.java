package io.sluice.certs;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes {@code ca.crt}, {@code ca.key}, {@code tls.crt} and {@code tls.key} for running the webhook
 * outside a cluster ({@code make certs} writes them into {@code certs-local/}).
 *
 * <p>An existing, healthy CA in the directory is kept and only the serving certificate is
 * reissued: whatever already trusts that CA (a sandbox API server's {@code caBundle}, a curl
 * command) keeps working across reruns. This is the one class allowed to read the real clock.
 */
public final class LocalCerts {

    static final String USAGE = """
            usage: LocalCerts --out DIR --service NAME --namespace NS [--dns NAME]... [--ip ADDRESS]...
                              [--key-type ec|rsa] [--new-ca]
              --out DIR        directory for ca.crt, ca.key, tls.crt, tls.key (created if missing)
              --service NAME   the webhook Service; the certificate covers NAME, NAME.NS, NAME.NS.svc
              --namespace NS   the Service's namespace
              --dns NAME       an extra DNS name, e.g. localhost (repeatable)
              --ip ADDRESS     an extra IP address, e.g. 127.0.0.1 (repeatable)
              --key-type       ec (P-256, default) or rsa (2048 bits), for new keys
              --new-ca         replace the CA even if the one in DIR is still healthy
            """;

    static final String CA_COMMON_NAME = "sluice-local-ca";

    private LocalCerts() {}

    public static void main(String[] args) {
        int status = run(args, Clock.systemUTC(), System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** The whole program, minus the JVM exit: 0 on success, 2 on bad arguments, 1 on failure. */
    static int run(String[] args, Clock clock, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        if (options == null) {
            out.print(USAGE);
            return 0;
        }
        try {
            write(options, clock.instant(), out);
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    private static void write(Options options, Instant now, PrintStream out) throws IOException {
        Path dir = options.out();
        Files.createDirectories(dir);
        KeyAndCert ca = existingCa(options, dir, now, out);
        if (ca == null) {
            ca = CertificateIssuer.createCa(
                    CaRequest.of(CA_COMMON_NAME).withKeyType(options.request().keyType()), now);
            writeFile(dir.resolve("ca.crt"), ca.certPem(), false);
            writeFile(dir.resolve("ca.key"), ca.keyPem(), true);
            out.println("created CA " + ca.cert().getSubjectX500Principal().getName() + ", valid until "
                    + ca.cert().getNotAfter().toInstant());
        }
        KeyAndCert leaf = CertificateIssuer.issueServing(ca, options.request(), now);
        writeFile(dir.resolve("tls.crt"), leaf.certPem(), false);
        writeFile(dir.resolve("tls.key"), leaf.keyPem(), true);
        out.println("issued serving certificate for " + options.request().requiredNames() + ", valid until "
                + leaf.cert().getNotAfter().toInstant());
        out.println("wrote ca.crt, ca.key, tls.crt, tls.key to " + dir.toAbsolutePath());
    }

    /** The CA already in DIR if it can still sign a full-length leaf; null when a new one is due. */
    private static KeyAndCert existingCa(Options options, Path dir, Instant now, PrintStream out) throws IOException {
        Path crt = dir.resolve("ca.crt");
        Path key = dir.resolve("ca.key");
        if (options.newCa() || !Files.exists(crt) || !Files.exists(key)) {
            return null;
        }
        KeyAndCert ca;
        try {
            ca = KeyAndCert.fromPem(Files.readString(crt), Files.readString(key));
        } catch (PemException e) {
            throw new IllegalArgumentException(
                    dir + " holds a CA that cannot be read (" + e.getMessage() + "); pass --new-ca to replace it", e);
        }
        RenewalVerdict verdict = RenewalPolicy.of(options.request()).assessCa(ca.cert(), now);
        if (verdict.decision() == RenewalDecision.ROTATE_CA) {
            out.println("replacing the CA in " + dir + ": " + verdict.reason());
            return null;
        }
        out.println("keeping the CA in " + dir + ", valid until "
                + ca.cert().getNotAfter().toInstant());
        return ca;
    }

    /** Keys are written owner-only where the file system knows POSIX permissions. */
    private static void writeFile(Path path, String content, boolean secret) throws IOException {
        Files.deleteIfExists(path);
        if (secret && path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(path, content);
    }

    record Options(Path out, ServingRequest request, boolean newCa) {

        /** Null when help was asked for. */
        static Options parse(String[] args) {
            String out = null;
            String service = null;
            String namespace = null;
            KeyType keyType = KeyType.EC_P256;
            boolean newCa = false;
            List<String> dns = new ArrayList<>();
            List<String> ips = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "-h", "--help" -> {
                        return null;
                    }
                    case "--new-ca" -> newCa = true;
                    case "--out" -> out = once(arg, out, value(args, ++i, arg));
                    case "--service" -> service = once(arg, service, value(args, ++i, arg));
                    case "--namespace" -> namespace = once(arg, namespace, value(args, ++i, arg));
                    case "--dns" -> dns.add(value(args, ++i, arg));
                    case "--ip" -> ips.add(value(args, ++i, arg));
                    case "--key-type" -> keyType = keyType(value(args, ++i, arg));
                    default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
                }
            }
            if (out == null || service == null || namespace == null) {
                throw new IllegalArgumentException("--out, --service and --namespace are required");
            }
            ServingRequest request = ServingRequest.of(service, namespace)
                    .withExtraDnsNames(dns)
                    .withIpAddresses(ips)
                    .withKeyType(keyType);
            return new Options(Path.of(out), request, newCa);
        }

        private static String value(String[] args, int index, String option) {
            if (index >= args.length || args[index].startsWith("--")) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[index];
        }

        private static String once(String option, String previous, String value) {
            if (previous != null) {
                throw new IllegalArgumentException(option + " given twice");
            }
            return value;
        }

        private static KeyType keyType(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "ec" -> KeyType.EC_P256;
                case "rsa" -> KeyType.RSA_2048;
                default -> throw new IllegalArgumentException("--key-type must be ec or rsa, got '" + value + "'");
            };
        }
    }
}
