/*
 * KernelEchoTest: the echo service (RFC 862) of our stack with the kernel as client: 1 MiB of random data through
 * TCP echo with socat (half-close, RFC 9293 3.6: socat shuts its sending side down at the end of its input and waits
 * for our FIN after the last echoed byte), and 100 UDP datagrams (RFC 768) of sizes 1..1472 echoed one by one.
 */
package io.ustack.it;

import io.ustack.app.Services;
import io.ustack.tap.netns.ExecResult;
import io.ustack.tap.netns.KernelPeer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

@RequiresKernelPeer(commands = {"socat", "bash"})
class KernelEchoTest extends SharedStackPeer {
    private static final int MIB = 1 << 20;
    private static final int DATAGRAMS = 100;
    /** The largest UDP payload in one 1500-byte IPv4 packet: 1500 - 20 - 8. */
    private static final int MAX_UNFRAGMENTED = 1472;
    /**
     * Sends each length-prefixed datagram of argv[3] to argv[1]:argv[2], waits up to 2 s for its echo, writes the
     * echoes (same framing) to argv[4]; exit 1 if an echo did not come.
     */
    private static final String UDP_CLIENT = """
            import socket, struct, sys
            host, port, src, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(2.0)
            missing = 0
            with open(src, 'rb') as f, open(dst, 'wb') as out:
                while True:
                    head = f.read(2)
                    if not head:
                        break
                    payload = f.read(struct.unpack('>H', head)[0])
                    s.sendto(payload, (host, port))
                    try:
                        echo = s.recv(65535)
                    except socket.timeout:
                        missing += 1
                        continue
                    out.write(struct.pack('>H', len(echo)) + echo)
            print('missing', missing)
            sys.exit(1 if missing else 0)
            """;
    @Test
    void oneMebibyteComesBackThroughTcpEcho(@TempDir Path dir) throws IOException {
        byte[] data = KernelTools.randomBytes(MIB, 0x7EC0);
        Path in = dir.resolve("in.bin");
        Path out = dir.resolve("out.bin");
        Files.write(in, data);
        // -t 60: after our input ends, wait up to 60 s for the stack's FIN (socat exits as soon as it comes);
        // -T 60: give up if nothing moves for 60 s
        long start = System.nanoTime();
        ExecResult socat = KernelTools.sh(net.peer(), Duration.ofSeconds(150), "socat -t 60 -T 60 - TCP:"
                + net.stackAddress() + ":" + Services.ECHO + " < " + KernelTools.quote(in) + " > "
                + KernelTools.quote(out));
        long millis = KernelTools.millisSince(start);
        System.out.println("TCP echo of 1 MiB through socat: " + millis + " ms");
        assertThat(socat.ok()).as(socat.describe()).isTrue();
        byte[] echoed = Files.readAllBytes(out);
        assertThat(echoed.length).as("bytes echoed").isEqualTo(MIB);
        assertThat(KernelTools.sha256(echoed)).as("SHA-256 of the echo").isEqualTo(KernelTools.sha256(data));
        assertThat(echoed).isEqualTo(data);
    }

    @Test
    void hundredDatagramsComeBackThroughUdpEcho(@TempDir Path dir) throws IOException {
        List<byte[]> sent = datagrams();
        Path in = dir.resolve("datagrams.bin");
        Path out = dir.resolve("echoes.bin");
        Files.write(in, frame(sent));
        ExecResult client;
        // -Dustack.it.udpClient=socat forces the fallback used where python3 is missing
        if (!"socat".equals(System.getProperty("ustack.it.udpClient"))
                && KernelTools.hasCommand(net.peer(), "python3")) {
            Path script = dir.resolve("udp_echo_client.py");
            Files.writeString(script, UDP_CLIENT);
            client = net.peer().run(Duration.ofSeconds(60), "python3", script.toString(), net.stackAddress(),
                    Integer.toString(Services.ECHO), in.toString(), out.toString());
        } else {
            client = socatUdpLoop(sent, dir, out);
        }
        assertThat(client.ok()).as(client.describe()).isTrue();
        List<byte[]> echoed = unframe(Files.readAllBytes(out));
        assertThat(echoed).as("datagrams echoed").hasSize(DATAGRAMS);
        for (int i = 0; i < DATAGRAMS; i++) {
            assertThat(echoed.get(i)).as("datagram %d (%d bytes)", i, sent.get(i).length).isEqualTo(sent.get(i));
        }
    }

    /** Without python3: one socat per datagram, each waiting 0.5 s after its input ended for the echo. */
    private static ExecResult socatUdpLoop(List<byte[]> sent, Path dir, Path out) throws IOException {
        for (int i = 0; i < sent.size(); i++) {
            Files.write(dir.resolve("d" + i), sent.get(i));
        }
        ExecResult r = KernelTools.sh(net.peer(), Duration.ofSeconds(180), "cd " + KernelTools.quote(dir)
                + " && for i in $(seq 0 " + (sent.size() - 1) + "); do socat -t 0.5 -b 65535 - UDP:"
                + net.stackAddress() + ":" + Services.ECHO + " < d$i > e$i || exit 1; done");
        List<byte[]> echoes = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
            Path e = dir.resolve("e" + i);
            if (Files.exists(e) && Files.size(e) > 0) {
                echoes.add(Files.readAllBytes(e));
            }
        }
        Files.write(out, frame(echoes));
        return r;
    }

    /** 100 payloads of random sizes in 1..1472, with both ends of the range included. */
    private static List<byte[]> datagrams() {
        SplittableRandom random = new SplittableRandom(0xD6);
        List<byte[]> list = new ArrayList<>();
        for (int i = 0; i < DATAGRAMS; i++) {
            int size = i == 0 ? 1 : i == 1 ? MAX_UNFRAGMENTED : random.nextInt(1, MAX_UNFRAGMENTED + 1);
            byte[] b = new byte[size];
            random.nextBytes(b);
            list.add(b);
        }
        return list;
    }

    private static byte[] frame(List<byte[]> payloads) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            for (byte[] p : payloads) {
                out.writeShort(p.length);
                out.write(p);
            }
        }
        return bytes.toByteArray();
    }

    private static List<byte[]> unframe(byte[] framed) throws IOException {
        List<byte[]> list = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(framed))) {
            while (true) {
                int length;
                try {
                    length = in.readUnsignedShort();
                } catch (EOFException end) {
                    return list;
                }
                byte[] b = new byte[length];
                in.readFully(b);
                list.add(b);
            }
        }
    }
}
