package paybridge.chaos;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A JVM started by the chaos run (a paybridge node or the sandbox): the same class path as this
 * JVM, its output appended to a log file, {@link #kill()} is a real {@code kill -9}
 * ({@link Process#destroyForcibly()}) and {@link #start()} starts it again with the same settings.
 */
final class JavaProcess {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

    final String name;
    private final String mainClass;
    private final List<String> jvmOptions;
    private final Map<String, String> environment;
    private final Path log;
    private final Path workDir;
    private final String readyUrl;
    private volatile Process process;
    private int starts;

    JavaProcess(String name, String mainClass, List<String> jvmOptions, Map<String, String> environment, Path workDir,
                Path log, String readyUrl) {
        this.name = name;
        this.mainClass = mainClass;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.environment = new LinkedHashMap<>(environment);
        this.workDir = workDir;
        this.log = log;
        this.readyUrl = readyUrl;
    }

    /** Starts the JVM and waits until {@code readyUrl} answers 200 (bounded). */
    synchronized void start(Duration readyWithin) {
        launch();
        awaitReady(readyWithin);
    }

    /** Starts the JVM without waiting for it. */
    synchronized void launch() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(environment);
        try {
            workDir.toFile().mkdirs();
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException(name + " did not start", e);
        }
        starts++;
    }

    void awaitReady(Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " while starting; see " + log);
            }
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(readyUrl))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(250);
        }
        throw new IllegalStateException(name + " not ready within " + within + " (" + lastAnswer() + "); see " + log);
    }

    /** What the readiness URL says in full, for the failure message. */
    private String lastAnswer() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(readyUrl + "?exposureLevel=full")).timeout(Duration.ofSeconds(5))
                    .GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return e.toString();
        }
    }

    /** kill -9: no shutdown hook, no graceful stop, whatever was in flight is cut. */
    synchronized void kill() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
            try {
                p.waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** SIGTERM, then kill -9 if it has not stopped in time. */
    synchronized void stop() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroy();
            try {
                if (!p.waitFor(40, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }

    boolean alive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    int starts() {
        return starts;
    }

    File logFile() {
        return log.toFile();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
