package io.ustack.tap.cli;

import io.ustack.tcp.CongestionAlgorithm;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** `--cc` of serve and demo: the TCP congestion control of the stack that serves. */
class CongestionOptionTest {
    @Test
    void serveAndDemoTakeTheCongestionControlInAnyCase() {
        CommandLine.ParseResult r = UstackCommand.commandLine()
                .parseArgs("serve", "--tap", "tap9", "--ip", "10.0.0.2/24", "--cc", "bbr");
        ServeCommand serve = (ServeCommand) r.subcommand().commandSpec().userObject();
        assertThat(serve.cc).isEqualTo(CongestionAlgorithm.BBR);
        r = UstackCommand.commandLine().parseArgs("demo", "--cc", "New_Reno");
        assertThat(((DemoCommand) r.subcommand().commandSpec().userObject()).cc).isEqualTo(CongestionAlgorithm.NEW_RENO);
        r = UstackCommand.commandLine().parseArgs("demo");
        assertThat(((DemoCommand) r.subcommand().commandSpec().userObject()).cc).isEqualTo(CongestionAlgorithm.CUBIC);
    }

    @Test
    void anUnknownAlgorithmIsAUsageErrorNamingTheChoices() {
        StringWriter err = new StringWriter();
        CommandLine cl = UstackCommand.commandLine();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        int code = cl.execute("serve", "--tap", "tap9", "--ip", "10.0.0.2/24", "--cc", "vegas");
        assertThat(code).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(err.toString()).contains("vegas").contains("BBR").contains("CUBIC").contains("NEW_RENO");
    }
}
