package paybridge.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * libfaketime (Debian package {@code libfaketime}, pulled in by {@code faketime}): preloaded into
 * one node's JVM it shifts that node's wall clock while its monotonic clock stays true
 * ({@code FAKETIME_DONT_FAKE_MONOTONIC=1}, else the JVM's timed waits misbehave).
 */
final class FakeTime {
    private static final List<String> CANDIDATES = List.of(
            "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
            "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
            "/usr/lib/faketime/libfaketime.so.1",
            "/usr/local/lib/faketime/libfaketime.so.1");

    private FakeTime() {
    }

    /** The library, from {@code FAKETIME_LIB} or the usual Debian paths. */
    static Optional<Path> library() {
        String configured = System.getenv("FAKETIME_LIB");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured)).filter(Files::isReadable);
        }
        return CANDIDATES.stream().map(Path::of).filter(Files::isReadable).findFirst();
    }
}
