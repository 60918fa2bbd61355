/*
 * HostRequirements: what a kernel-peer test needs from the machine (root, /dev/net/tun, iproute2, sometimes a tool
 * such as ping or tshark). A missing requirement skips the test with the reason, except on CI (env CI=true), where
 * it fails: CI is set up to have them, so a skip there would hide a broken environment.
 */
package io.ustack.it;

import io.ustack.tap.netns.ExecResult;
import io.ustack.tap.netns.KernelPeer;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Assumption helpers with the CI rule: skip locally, fail on CI. */
public final class HostRequirements {
    private HostRequirements() {
    }

    /** True when the environment variable CI is "true" (GitHub Actions, GitLab and most CI systems set it). */
    public static boolean onCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips (or on CI fails) unless a {@link KernelPeer} can be built here. */
    public static void requireKernelPeer() {
        missingForKernelPeer().ifPresent(HostRequirements::unmet);
    }

    /** Skips (or on CI fails) unless {@code command} is an executable on the PATH. */
    public static void requireCommand(String command) {
        if (findOnPath(command).isEmpty()) {
            unmet("the command `" + command + "` is not installed (not found on PATH " + path() + ")");
        }
    }

    /** Why a KernelPeer cannot be built here, or empty if it can. */
    public static Optional<String> missingForKernelPeer() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return Optional.of("not Linux (" + System.getProperty("os.name") + "): TAP devices and netns are Linux's");
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            return Optional.of("/dev/net/tun does not exist (load the tun module, or pass the device to the container)");
        }
        int uid = uid();
        if (uid != 0) {
            return Optional.of("not running as root (uid " + uid + "): creating namespaces and TAP devices needs root");
        }
        if (findOnPath("ip").isEmpty()) {
            return Optional.of("the `ip` command (iproute2) is not installed");
        }
        return Optional.empty();
    }

    /** The executable called {@code command} on the PATH (also /usr/sbin and /sbin, which non-root PATHs lack). */
    public static Optional<Path> findOnPath(String command) {
        for (String dir : (path() + ":/usr/sbin:/sbin").split(":")) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, command);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    static int uid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }

    private static String path() {
        return System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    }

    private static void unmet(String reason) {
        if (onCi()) {
            Assertions.fail("CI=true and a test requirement is missing: " + reason);
        }
        Assumptions.abort("skipped: " + reason);
    }
}
