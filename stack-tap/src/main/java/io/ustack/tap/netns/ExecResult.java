/*
 * ExecResult: how a command run by a KernelPeer ended (exit status, output, whether it had to be killed).
 */
package io.ustack.tap.netns;

import java.util.List;

/** The outcome of a finished (or timed-out and killed) command. */
public record ExecResult(List<String> command, int exitCode, String stdout, String stderr, boolean timedOut) {

    public boolean ok() {
        return exitCode == 0 && !timedOut;
    }

    /** Throws with the command and its output unless it exited 0 in time; returns this for chaining. */
    public ExecResult orThrow() {
        if (!ok()) {
            throw new IllegalStateException(describe());
        }
        return this;
    }

    public String describe() {
        return "`" + String.join(" ", command) + "` " + (timedOut ? "timed out" : "exited " + exitCode)
                + (stdout.isBlank() ? "" : "\nstdout: " + stdout.strip())
                + (stderr.isBlank() ? "" : "\nstderr: " + stderr.strip());
    }
}
