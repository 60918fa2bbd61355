/*
 * TapPermissionTest: the real EPERM path. A child JVM runs as root but without CAP_NET_ADMIN (setpriv drops it from
 * the bounding set) and must fail to attach a TAP with the message that names the capability and the fixes.
 */
package io.ustack.tap;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TapPermissionTest {

    @Test
    void withoutCapNetAdminOpeningFailsWithTheCapabilityAndTheFixes() {
        TapTestSupport.assumeTapUsable();
        TapTestSupport.assumeCommand("setpriv");
        String java = ProcessHandle.current().info().command().orElseThrow();
        String name = TapTestSupport.uniqueName();
        TapTestSupport.Result result = TapTestSupport.run("setpriv", "--bounding-set=-net_admin", "--", java,
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                OpenTapMain.class.getName(), name);
        assertThat(result.exitCode()).as(result.output()).isEqualTo(2);
        assertThat(result.output())
                .contains("FAILED errno 1")
                .contains("Cannot attach TAP device '" + name + "': Operation not permitted (EPERM).")
                .contains("needs the CAP_NET_ADMIN capability")
                .contains("setcap cap_net_admin+ep " + java)
                .contains("ip tuntap add dev " + name + " mode tap user root");
        assertThat(TapTestSupport.linkExists(name)).isFalse();
    }

    @Test
    void theSameChildWithTheCapabilityOpensTheDevice() {
        TapTestSupport.assumeTapUsable();
        String java = ProcessHandle.current().info().command().orElseThrow();
        assertThat(Files.isExecutable(Path.of(java))).isTrue();
        String name = TapTestSupport.uniqueName();
        TapTestSupport.Result result = TapTestSupport.run(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), OpenTapMain.class.getName(), name).toArray(String[]::new));
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("OPENED " + name);
    }
}
