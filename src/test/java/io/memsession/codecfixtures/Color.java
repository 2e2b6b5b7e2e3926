package io.memsession.codecfixtures;

/** An application enum; BLUE has a constant-specific body, so its runtime class is an anonymous subclass. */
public enum Color {
    RED,
    GREEN,
    BLUE {
        @Override
        public String toString() {
            return "blue!";
        }
    }
}
