/*
 * OpenTapMain: a tiny program for TapPermissionTest's child JVM: opens a TAP and reports how that went.
 */
package io.ustack.tap;

/** Prints "OPENED name" (exit 0) or "FAILED errno N" and the message (exit 2). */
public final class OpenTapMain {
    private OpenTapMain() {
    }

    public static void main(String[] args) {
        try (TapLink link = TapLink.open(args[0])) {
            System.out.println("OPENED " + link.name());
        } catch (TapException e) {
            System.out.println("FAILED errno " + e.errno());
            System.out.println(e.getMessage());
            System.exit(2);
        }
    }
}
