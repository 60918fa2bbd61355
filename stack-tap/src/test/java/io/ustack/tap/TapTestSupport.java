/*
 * TapTestSupport: what the stack-tap tests need from the machine (root, /dev/net/tun, `ip`), unique device names,
 * and running `ip` commands. Without the prerequisites a test is skipped, or fails when CI=true.
 */
package io.ustack.tap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.fail;

final class TapTestSupport {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private TapTestSupport() {
    }

    /** Skips the test (fails it under CI=true) unless this process is root, with /dev/net/tun and `ip`. */
    static void assumeTapUsable() {
        String missing = null;
        if (!Files.exists(Path.of(TunTap.CONTROL_DEVICE))) {
            missing = TunTap.CONTROL_DEVICE + " does not exist";
        } else if (uid() != 0) {
            missing = "not running as root (uid " + uid() + "), TAP tests need CAP_NET_ADMIN";
        } else if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))
                && !Files.isExecutable(Path.of("/usr/bin/ip"))) {
            missing = "the `ip` command (iproute2) is not installed";
        }
        if (missing != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("TAP test cannot run on CI: " + missing);
            }
            Assumptions.abort("TAP test skipped: " + missing);
        }
    }

    /** Skips (fails under CI=true) unless {@code command} is on the PATH or in /usr/sbin, /sbin. */
    static void assumeCommand(String command) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return;
            }
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("test needs `" + command + "`, which is not installed");
        }
        Assumptions.abort("skipped: `" + command + "` is not installed");
    }

    static int uid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    /** A device name unique to this JVM and call, at most 15 characters ("ustt" + pid + letter + counter). */
    static String uniqueName() {
        String name = "ustt" + ProcessHandle.current().pid() + "x" + COUNTER.incrementAndGet();
        return name.length() <= TunTap.MAX_NAME_LENGTH ? name : name.substring(name.length() - 15);
    }

    record Result(int exitCode, String output) {
    }

    static Result run(String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", command));
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static boolean linkExists(String name) {
        return run("ip", "-o", "link", "show", "dev", name).exitCode() == 0;
    }

    /**
     * A 60-byte broadcast frame from the link's MAC of EtherType 0x88B5 (IEEE local experimental): the kernel has no
     * handler for it.
     */
    static ByteBuf localExperimentalFrame(TapLink link, boolean direct) {
        ByteBuf frame = direct ? PooledByteBufAllocator.DEFAULT.directBuffer(60) : Unpooled.buffer(60);
        return frame.writeBytes(localExperimentalBytes(link));
    }

    static byte[] localExperimentalBytes(TapLink link) {
        byte[] frame = new byte[60];
        for (int i = 0; i < 6; i++) {
            frame[i] = (byte) 0xFF;
            frame[6 + i] = (byte) (link.macAddress() >>> (40 - 8 * i));
        }
        frame[12] = (byte) 0x88;
        frame[13] = (byte) 0xB5;
        return frame;
    }

    /** A persistent device made with `ip tuntap add` for one test; close() deletes it. */
    record PersistentDevice(String name, DeviceMode mode) implements AutoCloseable {
        static PersistentDevice create(DeviceMode mode) {
            String name = uniqueName();
            Result added = run("ip", "tuntap", "add", "dev", name, "mode", mode.ipMode());
            if (added.exitCode() != 0) {
                throw new IllegalStateException("ip tuntap add " + name + ": " + added.output());
            }
            return new PersistentDevice(name, mode);
        }

        @Override
        public void close() {
            run("ip", "tuntap", "del", "dev", name, "mode", mode.ipMode());
        }
    }
}
