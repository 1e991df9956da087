package io.sluice.cli;

import io.sluice.model.control.RuntimeAction;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code kubectl sluice}: the kubectl plugin that shows and steers Sluice's Canaries. */
@Command(
        name = "kubectl sluice",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "Shows and steers Sluice's canary releases (flagger.app/v1beta1 Canary).",
            "",
            "Runtime requests go through the Canary's sluice.io/request annotation: the admission webhook records"
                    + " who asked in status.request, the analyzer acts and answers in status.requestHandled."
        },
        footer = {
            "",
            "Exit codes: 0 done (or the outcome waited for), 1 refused, denied or rejected (or the other outcome),"
                    + " 2 usage, 3 timeout, 4 superseded by a later revision or request, 5 not found or API error."
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(Clients::fromKubeconfig, out, err, args));
    }

    /** Runs the command line {@code args} with {@code clients}, writing to {@code out} and {@code err}. */
    public static int run(Clients clients, PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine(clients);
        cl.setOut(out);
        cl.setErr(err);
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    static CommandLine commandLine(Clients clients) {
        CommandLine cl = new CommandLine(new Main());
        cl.addSubcommand("status", new StatusCommand(clients));
        for (RuntimeAction action : RuntimeAction.values()) {
            CommandLine sub = new CommandLine(new RequestCommand(clients, action));
            sub.getCommandSpec().usageMessage().description(RequestCommand.description(action));
            cl.addSubcommand(action.wireName(), sub);
        }
        cl.addSubcommand("wait", new WaitCommand(clients));
        cl.getSubcommands().values().forEach(sub -> sub.getCommandSpec().mixinStandardHelpOptions(true));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((e, command, parsed) -> {
            command.getErr().println("error: " + CanaryCommand.message(e));
            return ExitCodes.ERROR;
        });
        return cl;
    }

    /** Without a command: the usage, and exit code 2. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    /** The build's version, from the resource Maven writes it into. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/kubectl-sluice.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new String[] {"kubectl-sluice " + p.getProperty("version", "unknown")};
        }
    }
}
