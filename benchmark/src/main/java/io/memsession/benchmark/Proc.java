package io.memsession.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU figures from Linux's {@code /proc}, in clock ticks ({@code getconf CLK_TCK}, 100 on Linux/amd64). */
final class Proc {

    static final double MICROS_PER_TICK = 1_000_000.0 / 100;

    private Proc() {
    }

    /** utime + stime of a process; with children, also cutime + cstime (the children it waited for). */
    static long processTicks(long pid, boolean withChildren) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        // the command name (field 2) may contain spaces: fields are counted after its closing parenthesis
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        if (withChildren) {
            ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]);
        }
        return ticks;
    }

    /** The machine's aggregate CPU line: {busy, total, steal} ticks summed over all CPUs. */
    static long[] machineTicks() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
            if (line.startsWith("cpu ")) {
                String[] f = line.trim().split("\\s+");
                long total = 0;
                for (int i = 1; i < f.length && i <= 8; i++) {
                    total += Long.parseLong(f[i]);
                }
                long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
                return new long[] {total - idle, total, Long.parseLong(f[8])};
            }
        }
        throw new IOException("no cpu line in /proc/stat");
    }

    static String loadAverage() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
        return f[0] + " " + f[1] + " " + f[2];
    }
}
