package paybridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import paybridge.testing.FreePorts;

/**
 * The image definition ({@code Dockerfile}) without a container daemon: every file it copies exists
 * after {@code mvn package}, and its entrypoint, run outside a container from a directory laid out as
 * the image's file system (its COPY lines applied) with the image's environment (its ENV lines) and
 * nothing else from this machine's, starts paybridge healthy. Runs in {@code mvn verify}, after the jar.
 */
class ImageIT {

    /** The instructions of a Dockerfile that this test reads; continuation lines joined. */
    record Dockerfile(String from, String user, String workdir, Map<String, String> env,
            List<String[]> copies, List<String> runs, List<String> entrypoint, List<String> exposed) {

        static Dockerfile parse(Path file) throws IOException {
            List<String> instructions = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            for (String line : Files.readAllLines(file)) {
                String trimmed = line.strip();
                if (current.length() == 0 && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
                    continue;
                }
                if (trimmed.startsWith("#")) {
                    continue; // a comment inside a continued instruction
                }
                if (trimmed.endsWith("\\")) {
                    current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                } else {
                    instructions.add(current.append(trimmed).toString());
                    current.setLength(0);
                }
            }
            String from = null, user = null, workdir = "/";
            Map<String, String> env = new LinkedHashMap<>();
            List<String[]> copies = new ArrayList<>();
            List<String> runs = new ArrayList<>();
            List<String> entrypoint = List.of();
            List<String> exposed = new ArrayList<>();
            for (String instruction : instructions) {
                String[] parts = instruction.split("\\s+", 2);
                String args = parts.length > 1 ? parts[1].strip() : "";
                switch (parts[0].toUpperCase()) {
                    case "FROM" -> from = args;
                    case "USER" -> user = args;
                    case "WORKDIR" -> workdir = args;
                    case "EXPOSE" -> exposed.addAll(List.of(args.split("\\s+")));
                    case "ENV" -> {
                        Matcher m = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"([^\"]*)\"|(\\S*))").matcher(args);
                        while (m.find()) {
                            env.put(m.group(1), m.group(3) != null ? m.group(3) : m.group(4));
                        }
                    }
                    case "COPY" -> {
                        String[] paths = args.split("\\s+");
                        assertThat(paths).as("COPY %s: one source and a destination", args).hasSize(2);
                        copies.add(paths);
                    }
                    case "ENTRYPOINT" -> entrypoint = List.of(new ObjectMapper().readValue(args, String[].class));
                    case "RUN" -> runs.add(args);
                    case "CMD", "LABEL", "ARG", "HEALTHCHECK", "VOLUME", "STOPSIGNAL" -> {
                    }
                    default -> throw new AssertionError("instruction this test does not understand: " + instruction);
                }
            }
            return new Dockerfile(from, user, workdir, env, copies, runs, entrypoint, exposed);
        }
    }

    private static Path inside(Path root, String containerPath) {
        return root.resolve(containerPath.replaceFirst("^/+", ""));
    }

    /** An ENV value with each absolute path in it (the whole value, or after an '=') moved under the root. */
    private static String relocated(Path root, String value) {
        return value.replaceAll("(^|=)/", "$1" + Matcher.quoteReplacement(root.toString()) + "/");
    }

    @Test
    void everyCopiedFileExistsAndTheEntrypointStartsPaybridgeHealthy() throws Exception {
        Dockerfile image = Dockerfile.parse(Path.of("Dockerfile"));
        assertThat(image.from()).startsWith("eclipse-temurin:17-jre");
        assertThat(image.user()).isNotNull().doesNotStartWith("root").doesNotStartWith("0");
        assertThat(image.exposed()).contains("8080", "9876");
        assertThat(image.env()).containsKey("PAYBRIDGE_HOME");
        assertThat(image.env().get("JAVA_TOOL_OPTIONS")).contains("-XX:MaxRAMPercentage=")
                .contains("-XX:SharedArchiveFile=/opt/paybridge/target/paybridge.jsa");

        // the image's file system, as its COPY lines lay it out (about 100 MB: removed after)
        Path root = Files.createTempDirectory("paybridge-image");
        try {
            startsHealthyFromItsFileSystem(image, root);
        } finally {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private void startsHealthyFromItsFileSystem(Dockerfile image, Path root) throws Exception {
        List<String> dockerignore = Files.readAllLines(Path.of(".dockerignore"));
        for (String[] copy : image.copies()) {
            Path source = Path.of(copy[0]);
            assertThat(source).as("COPY source %s (after mvn package)", copy[0]).exists();
            assertThat(sentToTheBuilder(dockerignore, copy[0])).as("COPY source %s is not excluded by .dockerignore", copy[0]).isTrue();
            Path target = inside(root, copy[1]);
            if (Files.isDirectory(source)) {
                try (Stream<Path> files = Files.walk(source)) {
                    for (Path file : files.filter(Files::isRegularFile).toList()) {
                        Path to = target.resolve(source.relativize(file).toString());
                        Files.createDirectories(to.getParent());
                        Files.copy(file, to, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            } else {
                Path to = copy[1].endsWith("/") ? target.resolve(source.getFileName().toString()) : target;
                Files.createDirectories(to.getParent());
                Files.copy(source, to, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path home = inside(root, image.env().get("PAYBRIDGE_HOME"));
        assertThat(home.resolve("application.properties")).exists();
        assertThat(home.resolve("routes")).isDirectoryContaining(p -> p.toString().endsWith(".camel.yaml"));
        Files.createDirectories(inside(root, image.workdir()).resolve("data"));

        // the image's class-data sharing archive, written as its RUN line writes it (the script with this JDK's java)
        String archiveRun = "[\"sh\", \"deploy/class-data-archive.sh\", \"target/paybridge.jar\", \"target/paybridge.jsa\"]";
        assertThat(image.runs()).contains(archiveRun);
        ProcessBuilder archiving = new ProcessBuilder(List.of(new ObjectMapper().readValue(archiveRun, String[].class)))
                .directory(inside(root, image.workdir()).toFile()).redirectErrorStream(true)
                .redirectOutput(root.resolve("class-data.log").toFile());
        imageEnvironment(archiving, image, root);
        archiving.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + archiving.environment().get("PATH"));
        archiving.environment().put("CLASS_DATA_HTTP_PORT", String.valueOf(FreePorts.next()));
        archiving.environment().put("CLASS_DATA_MANAGEMENT_PORT", String.valueOf(FreePorts.next()));
        Process archiver = archiving.start();
        if (!archiver.waitFor(120, TimeUnit.SECONDS)) {
            archiver.descendants().forEach(ProcessHandle::destroyForcibly);
            archiver.destroyForcibly();
            throw new AssertionError("class-data archive not written in 2 min: " + Files.readString(root.resolve("class-data.log")));
        }
        assertThat(archiver.exitValue()).as(Files.readString(root.resolve("class-data.log"))).isZero();
        Path archive = inside(root, image.workdir()).resolve("target/paybridge.jsa");
        assertThat(archive).isNotEmptyFile();

        // the entrypoint, with the image's environment only (paths in it moved under the root), plus
        // what a deployment supplies: free ports, an API key, vendor credentials
        assertThat(image.entrypoint()).first().isEqualTo("java");
        List<String> command = new ArrayList<>(image.entrypoint());
        command.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ProcessBuilder pb = new ProcessBuilder(command).directory(inside(root, image.workdir()).toFile())
                .redirectErrorStream(true).redirectOutput(root.resolve("paybridge.log").toFile());
        imageEnvironment(pb, image, root);
        int http = FreePorts.next();
        int management = FreePorts.next();
        pb.environment().put("PAYBRIDGE_HTTP_PORT", String.valueOf(http));
        pb.environment().put("CAMEL_MANAGEMENT_PORT", String.valueOf(management));
        pb.environment().put("PAYBRIDGE_API_KEY", "image-test-key");
        pb.environment().put("STEPPAY_SECRET_TOKEN", "image-test-steppay");
        pb.environment().put("IAMPORT_API_KEY", "image-test-iamport");
        pb.environment().put("IAMPORT_API_SECRET", "image-test-iamport-secret");
        Process process = pb.start();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Path log = root.resolve("paybridge.log");
        try {
            String health = "";
            for (int i = 0; i < 300 && !health.contains("UP"); i++) {
                assertThat(process.isAlive()).as("entrypoint process alive; log: %s", Files.readString(log)).isTrue();
                try {
                    health = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + "/observe/health"))
                            .build(), HttpResponse.BodyHandlers.ofString()).body();
                } catch (IOException notYet) {
                    // not listening yet
                }
                if (!health.contains("UP")) {
                    Thread.sleep(100);
                }
            }
            String output = Files.readString(log);
            assertThat(health).as(output).contains("UP");
            // the image's JVM options were picked up, and its profile (prod: an API key is required)
            assertThat(output).contains("Picked up JAVA_TOOL_OPTIONS: " + relocated(root, image.env().get("JAVA_TOOL_OPTIONS")));
            // and the JVM mapped the archive (a JVM that finds it does not fit starts without it, silently)
            assertThat(Files.readString(Path.of("/proc", String.valueOf(process.pid()), "maps")))
                    .as("the class-data archive is mapped").contains(archive.toRealPath().toString());
            HttpResponse<String> unauthorized = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + http + "/api/payments/none")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(unauthorized.statusCode()).isEqualTo(401);
            assertThat(output).contains("profile=prod");
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /**
     * Whether {@code .dockerignore} lets {@code source} into the build context: its rules in order, the last
     * that matches deciding ({@code *} every path, {@code x} x and what is under it, {@code !} admitting).
     */
    static boolean sentToTheBuilder(List<String> dockerignore, String source) {
        String path = source.replaceAll("/+$", "");
        boolean sent = true;
        for (String line : dockerignore) {
            String rule = line.strip();
            if (rule.isEmpty() || rule.startsWith("#")) {
                continue;
            }
            boolean admits = rule.startsWith("!");
            String pattern = (admits ? rule.substring(1) : rule).replaceAll("/+$", "");
            if (pattern.equals("*") || path.equals(pattern) || path.startsWith(pattern + "/")) {
                sent = admits;
            }
        }
        return sent;
    }

    /** The image's environment only (paths in it moved under the root), with a PATH to find programs. */
    private static void imageEnvironment(ProcessBuilder pb, Dockerfile image, Path root) {
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        image.env().forEach((key, value) -> pb.environment().put(key, relocated(root, value)));
    }
}
