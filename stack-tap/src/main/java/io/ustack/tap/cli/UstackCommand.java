/*
 * UstackCommand: the `ustack` command line (picocli): `run` (the README's main job), `serve` (services on a TAP/TUN
 * device) and `demo` (two stacks in one process).
 */
package io.ustack.tap.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "ustack", mixinStandardHelpOptions = true, version = "ustack 0.1",
        description = "A user-space TCP/UDP/IP stack for the JVM.",
        subcommands = {RunCommand.class, ServeCommand.class, DemoCommand.class})
public final class UstackCommand {
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (enum values such as {@code --cc bbr} in any case). */
    public static CommandLine commandLine() {
        return new CommandLine(new UstackCommand()).setCaseInsensitiveEnumValuesAllowed(true);
    }
}
