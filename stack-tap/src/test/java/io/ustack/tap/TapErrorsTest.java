/*
 * TapErrorsTest: the messages users see when a TAP cannot be opened, checked as pure functions (no privileges needed).
 */
package io.ustack.tap;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TapErrorsTest {

    @Test
    void missingNetAdminSaysWhatIsMissingAndTheThreeFixes() {
        String m = TapErrors.missingNetAdmin("ustack0", DeviceMode.TAP, "alice", "/usr/lib/jvm/jdk-25/bin/java");
        assertThat(m)
                .startsWith("Cannot attach TAP device 'ustack0': Operation not permitted (EPERM).")
                .contains("needs the CAP_NET_ADMIN capability")
                .contains("(user alice)")
                .contains("run as root")
                .contains("sudo setcap cap_net_admin+ep /usr/lib/jvm/jdk-25/bin/java")
                .contains("sudo ip tuntap add dev ustack0 mode tap user alice");
    }

    @Test
    void missingNetAdminForTunNamesTunModeAndCopesWithUnknowns() {
        String m = TapErrors.missingNetAdmin("tun7", DeviceMode.TUN, "", null);
        assertThat(m)
                .startsWith("Cannot attach TUN device 'tun7'")
                .contains("ip tuntap add dev tun7 mode tun user $USER")
                .contains("setcap cap_net_admin+ep /path/to/bin/java");
    }

    @Test
    void controlDeviceMessagesDependOnTheErrno() {
        assertThat(TapErrors.cannotOpenControlDevice("/dev/net/tun", 2, "No such file or directory", "bob"))
                .startsWith("Cannot open /dev/net/tun: No such file or directory (ENOENT).")
                .contains("modprobe tun");
        assertThat(TapErrors.cannotOpenControlDevice("/dev/net/tun", 13, "Permission denied", "bob"))
                .contains("(EACCES)")
                .contains("User bob may not open it")
                .contains("chmod 0666 /dev/net/tun");
        assertThat(TapErrors.cannotOpenControlDevice("/dev/net/tun", 24, "Too many open files", "bob"))
                .isEqualTo("Cannot open /dev/net/tun: Too many open files (errno 24). ");
    }

    @Test
    void attachMessagesExplainBusyAndInvalid() {
        assertThat(TapErrors.cannotAttach("t0", DeviceMode.TAP, 16, "Device or resource busy"))
                .contains("Device or resource busy (EBUSY)")
                .contains("Another process already has it open");
        assertThat(TapErrors.cannotAttach("t0", DeviceMode.TAP, 22, "Invalid argument"))
                .contains("(EINVAL)")
                .contains("TAP vs TUN");
    }

    @Test
    void strerrorComesFromLibc() {
        assertThat(LibC.strerror(LibC.EPERM)).isEqualTo("Operation not permitted");
        assertThat(LibC.strerror(LibC.EAGAIN)).isEqualTo("Resource temporarily unavailable");
    }
}
