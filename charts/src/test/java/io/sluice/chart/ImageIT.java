package io.sluice.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * The images `make images` writes (Jib tarballs): their configuration matches the Deployments, and their application
 * layers run: the entrypoint's class path and main class, with the image's JVM flags, on the local JDK.
 *
 * <p>Skipped when the tarballs have not been built (make test builds no images); `make images` runs it with
 * {@code -Dsluice.images=required}, which turns a missing tarball into a failure.
 */
class ImageIT {
    private static final Path ROOT = Rendered.MANIFESTS.getParent();

    @TempDir
    Path work;

    @ParameterizedTest
    @ValueSource(strings = {"admission", "analyzer"})
    void imageIsConfiguredLikeItsDeploymentAndItsEntrypointRuns(String service) throws Exception {
        Path tarball = ROOT.resolve(service).resolve("target/jib-image.tar");
        boolean required = "required".equals(System.getProperty("sluice.images"));
        assertThat(Files.exists(tarball) || !required)
                .as("%s missing: run make images", tarball)
                .isTrue();
        assumeTrue(Files.exists(tarball), tarball + " not built (make images builds it)");
        String version = System.getProperty("sluice.version");
        String registry = System.getProperty("sluice.image.registry", "ghcr.io/sluice");

        Path image = work.resolve("image");
        Tar.extract(tarball, image, false);
        // An OCI image layout: index.json names the manifest, which names the config and the layers, all blobs.
        JsonNode index =
                Rendered.yamlFile(image.resolve("index.json")).path("manifests").get(0);
        JsonNode manifest = Rendered.yamlFile(blob(image, index.path("digest").asString()));
        JsonNode config = Rendered.yamlFile(
                blob(image, manifest.path("config").path("digest").asString()));
        JsonNode deployment = Rendered.files(List.of(Rendered.MANIFESTS.resolve(service + "/deployment.yaml")))
                .get("Deployment", "sluice-" + service);
        JsonNode container = Rendered.container(deployment);

        // The name the chart installs by default, tagged with the build version.
        String chartImage = Rendered.container(Rendered.chart("sluice-system").get("Deployment", "sluice-" + service))
                .path("image")
                .asString();
        String imageName = index.path("annotations")
                .path("org.opencontainers.image.ref.name")
                .asString();
        assertThat(imageName).isEqualTo(registry + "/" + service + ":" + version);
        if (registry.equals("ghcr.io/sluice")) {
            assertThat(chartImage).isEqualTo(imageName);
        }
        assertThat(manifest.path("mediaType").asString()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
        JsonNode c = config.path("config");
        assertThat(c.path("User").asString())
                .isEqualTo("65532:65532")
                .startsWith(deployment
                        .path("spec")
                        .path("template")
                        .path("spec")
                        .path("securityContext")
                        .path("runAsUser")
                        .asString());
        assertThat(c.path("ExposedPorts").propertyNames())
                .containsExactly(
                        container.path("ports").get(0).path("containerPort").asInt() + "/tcp");
        assertThat(c.path("Labels").path("org.opencontainers.image.version").asString())
                .isEqualTo(version);
        assertThat(c.path("Labels").path("org.opencontainers.image.title").asString())
                .isEqualTo("sluice-" + service);
        Map<String, String> env = env(c);
        for (String name : List.of("JAVA_TOOL_OPTIONS", "MALLOC_ARENA_MAX")) {
            JsonNode fromDeployment = Rendered.env(deployment, name);
            if (fromDeployment != null) {
                assertThat(env.get(name))
                        .as("%s of the image and of manifests/%s/deployment.yaml", name, service)
                        .isEqualTo(fromDeployment.path("value").asString());
            }
        }
        List<String> entrypoint = new ArrayList<>();
        c.path("Entrypoint").forEach(e -> entrypoint.add(e.asString()));
        assertThat(entrypoint).containsExactly("java", "-cp", "@/app/jib-classpath-file", mainClass(service));

        // The application layers are Jib's; the base's come first.
        Path app = work.resolve("app");
        List<String> layers = new ArrayList<>();
        manifest.path("layers").forEach(l -> layers.add(l.path("digest").asString()));
        int jibLayers = 0;
        for (JsonNode h : config.path("history")) {
            if ("Jib".equals(h.path("author").asString())
                    && !h.path("empty_layer").asBoolean()) {
                jibLayers++;
            }
        }
        assertThat(jibLayers).isGreaterThanOrEqualTo(2);
        for (String layer : layers.subList(layers.size() - jibLayers, layers.size())) {
            Tar.extract(blob(image, layer), app, true);
        }
        String classPath =
                Files.readString(app.resolve("app/jib-classpath-file")).strip();
        String localClassPath = classPath.replace("/app/", app.resolve("app") + "/");
        Path serviceJar;
        try (Stream<Path> jars = Files.list(app.resolve("app/classpath"))) {
            serviceJar = jars.filter(j -> j.getFileName().toString().startsWith(service + "-"))
                    .findFirst()
                    .orElseThrow();
        }
        try (JarFile jar = new JarFile(serviceJar.toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Implementation-Version"))
                    .isEqualTo(version);
        }

        Run help = run(localClassPath, mainClass(service), env.get("JAVA_TOOL_OPTIONS"), "--help");
        assertThat(help.exit()).as(help.output()).isZero();
        assertThat(help.output()).contains("Usage:");
        Run versionRun = run(localClassPath, mainClass(service), env.get("JAVA_TOOL_OPTIONS"), "--version");
        assertThat(versionRun.exit()).as(versionRun.output()).isZero();
        assertThat(versionRun.output()).contains("sluice-" + service + " " + version);
    }

    /** The blob of a digest, after checking that its content has that digest. */
    private static Path blob(Path layout, String digest) throws IOException {
        assertThat(digest).startsWith("sha256:");
        Path blob = layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(blob));
            assertThat("sha256:" + java.util.HexFormat.of().formatHex(hash))
                    .as("content of %s", blob)
                    .isEqualTo(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return blob;
    }

    private static String mainClass(String service) {
        return "io.sluice." + service + ".Main";
    }

    private static Map<String, String> env(JsonNode config) {
        Map<String, String> env = new java.util.HashMap<>();
        config.path("Env").forEach(e -> {
            String[] kv = e.asString().split("=", 2);
            env.put(kv[0], kv[1]);
        });
        return env;
    }

    private record Run(int exit, String output) {}

    /** The service's main with the image's class path (mapped to the extracted layers) and JVM flags. */
    private Run run(String classPath, String main, String javaToolOptions, String arg) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", classPath, main, arg).redirectErrorStream(true);
        pb.environment().put("JAVA_TOOL_OPTIONS", javaToolOptions == null ? "" : javaToolOptions);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS))
                .as("%s %s finished", main, arg)
                .isTrue();
        return new Run(p.exitValue(), out);
    }
}
