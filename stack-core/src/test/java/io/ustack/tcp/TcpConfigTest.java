/*
 * TcpConfigTest: a refused setting leaves the configuration as it was (bad input gets a clear error and loses
 * nothing), and a copy is independent of its original.
 */
package io.ustack.tcp;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TcpConfigTest {
    @Test
    void aRefusedUserTimeoutKeepsTheOldOne() {
        TcpConfig c = new TcpConfig().userTimeout(Duration.ofSeconds(30));
        assertThatThrownBy(() -> c.userTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("userTimeout");
        assertThat(c.userTimeoutNanos()).isEqualTo(Duration.ofSeconds(30).toNanos());
    }

    @Test
    void otherRefusedSettingsKeepTheirValuesToo() {
        TcpConfig c = new TcpConfig().synRetries(4);
        assertThatThrownBy(() -> c.synRetries(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("synRetries");
        assertThat(new TcpConfig(c).synRetries()).isEqualTo(4);
    }
}
