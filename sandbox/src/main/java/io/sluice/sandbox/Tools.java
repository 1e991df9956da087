package io.sluice.sandbox;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** The external programs the sandbox drives (kubectl, prometheus, hey, curl). */
public final class Tools {

    private Tools() {}

    public static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return true;
            }
        }
        return false;
    }
}
