/*
 * OffloadOptionTest: `--offload` of serve and run (TAP offloads: the virtio-net header of virtio spec 1.x section
 * 5.1.6, Linux Documentation/networking/tuntap.rst): off unless given for serve, on unless --no-offload for run (the
 * main job shows the fast path), and it shows in the help.
 */
package io.ustack.tap.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

class OffloadOptionTest {
    private static Object command(String... args) {
        return UstackCommand.commandLine().parseArgs(args).subcommand().commandSpec().userObject();
    }

    @Test
    void serveDefaultsToPlainFramesAndRunToOffloads() {
        assertThat(((ServeCommand) command("serve", "--tap", "tap9", "--ip", "10.0.0.2/24", "--offload")).offload)
                .isTrue();
        assertThat(((ServeCommand) command("serve", "--tap", "tap9", "--ip", "10.0.0.2/24")).offload).isFalse();
        assertThat(((RunCommand) command("run", "--offload")).offload).isTrue();
        assertThat(((RunCommand) command("run")).offload).isTrue();
        assertThat(((RunCommand) command("run", "--no-offload")).offload).isFalse();
        assertThat(((DemoCommand) command("demo")).offload).isTrue(); // the in-memory link's TSO, as a veth's
        assertThat(((DemoCommand) command("demo", "--no-offload")).offload).isFalse();
        assertThat(new DemoCommand().offload).as("as RunCommand creates it").isTrue();
    }

    @Test
    void theHelpNamesIt() {
        CommandLine serve = UstackCommand.commandLine().getSubcommands().get("serve");
        assertThat(serve.getUsageMessage()).contains("--offload").contains("virtio-net header");
    }
}
