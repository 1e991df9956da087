package io.sluice.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Extracts tar archives (image layers, packaged charts) with the system's tar. */
final class Tar {
    private Tar() {}

    static void extract(Path tarball, Path into, boolean gzip) throws IOException, InterruptedException {
        Files.createDirectories(into);
        Process p = new ProcessBuilder(
                        "tar",
                        gzip ? "-xzf" : "-xf",
                        tarball.toString(),
                        "-C",
                        into.toString(),
                        "--warning=no-unknown-keyword")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("tar of %s: %s", tarball, out).isZero();
    }
}
