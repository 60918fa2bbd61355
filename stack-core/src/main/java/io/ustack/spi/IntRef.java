/*
 * IntRef: an in/out int parameter (LPINT / LPDWORD lengths of WSPAddressToString and WSPStringToAddress: the buffer
 * size on input, the size used or needed on output).
 */
package io.ustack.spi;

/** A mutable int for in/out length parameters. */
public final class IntRef {
    private int value;

    public IntRef() {
    }

    public IntRef(int value) {
        this.value = value;
    }

    public int get() {
        return value;
    }

    public void set(int value) {
        this.value = value;
    }

    @Override
    public String toString() {
        return Integer.toString(value);
    }
}
