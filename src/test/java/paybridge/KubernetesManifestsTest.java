package paybridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import paybridge.testing.RunningPaybridge;

/**
 * deploy/kubernetes against paybridge itself (no drift): every port, probe path, environment variable,
 * mount and name the manifests use exists in paybridge, its application.properties, its image
 * (Dockerfile) and its README, and the probe paths answer on a running paybridge.
 */
class KubernetesManifestsTest {
    private static final Path MANIFESTS = Path.of("deploy", "kubernetes");
    /** RSS of java -jar target/paybridge.jar after 5,000 charges (dev profile, sandbox vendors). */
    private static final long MEASURED_RSS_MIB = 449;

    private static final List<Map<String, Object>> documents = new ArrayList<>();
    private static String properties;

    @BeforeAll
    static void load() throws IOException {
        try (Stream<Path> files = Files.list(MANIFESTS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                for (Object doc : new Yaml().loadAll(Files.readString(file))) {
                    if (doc != null) {
                        documents.add(map(doc));
                    }
                }
            }
        }
        properties = Files.readString(Path.of("application.properties"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        assertThat(o).isInstanceOf(List.class);
        return (List<Object>) o;
    }

    private static Object at(Object root, String... path) {
        Object current = root;
        for (String step : path) {
            current = map(current).get(step);
            assertThat(current).as(String.join(".", path)).isNotNull();
        }
        return current;
    }

    private static List<Map<String, Object>> ofKind(String kind) {
        return documents.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    private static Map<String, Object> deployment() {
        assertThat(ofKind("Deployment")).hasSize(1);
        return ofKind("Deployment").get(0);
    }

    private static Map<String, Object> container() {
        List<Object> containers = list(at(deployment(), "spec", "template", "spec", "containers"));
        assertThat(containers).hasSize(1);
        return map(containers.get(0));
    }

    private static Map<String, Integer> containerPorts() {
        Map<String, Integer> ports = new HashMap<>();
        for (Object p : list(container().get("ports"))) {
            ports.put((String) map(p).get("name"), (Integer) map(p).get("containerPort"));
        }
        return ports;
    }

    /** The default of {@code key} in application.properties: its literal value or its {{env:X:default}}. */
    private static String defaultOf(String key) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(key) + "\\s*=\\s*(.*)$").matcher(properties);
        assertThat(m.find()).as("%s in application.properties", key).isTrue();
        String value = m.group(1).trim();
        Matcher env = Pattern.compile("\\{\\{env:[A-Z0-9_]+:(.*)}}").matcher(value);
        return env.matches() ? env.group(1) : value;
    }

    /** Environment variables paybridge reads: application.properties placeholders, log4j2.xml, the code, the JVM. */
    private static Set<String> knownVariables() throws IOException {
        Set<String> known = new HashSet<>();
        Matcher placeholders = Pattern.compile("\\{\\{env:([A-Z0-9_]+)").matcher(properties);
        while (placeholders.find()) {
            known.add(placeholders.group(1));
        }
        String log4j = Files.readString(Path.of("src/main/resources/log4j2.xml"));
        Matcher logVars = Pattern.compile("(?:\\$\\{env:|EnvironmentArbiter propertyName=\")([A-Z0-9_]+)").matcher(log4j);
        while (logVars.find()) {
            known.add(logVars.group(1));
        }
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            for (Path source : sources.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher getenv = Pattern.compile("getenv\\(\\)\\.getOrDefault\\(\"([A-Z0-9_]+)\"|getenv\\(\"([A-Z0-9_]+)\"")
                        .matcher(Files.readString(source));
                while (getenv.find()) {
                    known.add(getenv.group(1) != null ? getenv.group(1) : getenv.group(2));
                }
            }
        }
        known.add("JAVA_TOOL_OPTIONS");
        return known;
    }

    /** CAMEL_MAIN_PROFILE is camel.main.profile: a camel.* key application.properties sets. */
    private static boolean isCamelKeyInProperties(String variable) {
        if (!variable.startsWith("CAMEL_")) {
            return false;
        }
        String key = variable.toLowerCase().replace('_', '.');
        return Pattern.compile("(?m)^" + Pattern.quote(key) + "\\s*=").matcher(properties.replace('-', '.')).find();
    }

    @Test
    void theManifestsHoldWhatNNodesNeed() {
        assertThat(ofKind("Deployment")).hasSize(1);
        assertThat(at(deployment(), "spec", "replicas")).isEqualTo(2);
        assertThat(ofKind("Secret")).hasSize(1);
        assertThat(ofKind("PodDisruptionBudget")).hasSize(1);
        assertThat(ofKind("Service")).extracting(s -> map(s.get("spec")).getOrDefault("type", "ClusterIP"))
                .containsExactlyInAnyOrder("ClusterIP", "ExternalName");
        // a template only: no value in the Secret is a credential
        Map<String, Object> secret = map(at(ofKind("Secret").get(0), "stringData"));
        secret.forEach((name, value) -> {
            if (name.contains("KEY") || name.contains("SECRET") || name.contains("TOKEN") || name.contains("PASSWORD")) {
                assertThat(value).as(name).isEqualTo("");
            }
        });
    }

    @Test
    void portsAreTheOnesPaybridgeListensOn() {
        Map<String, Integer> ports = containerPorts();
        assertThat(ports).containsEntry("http", Integer.parseInt(defaultOf("paybridge.http.port")))
                .containsEntry("management", Integer.parseInt(defaultOf("camel.management.port")));
        // the Service and the probes name declared container ports; the pod labels match every selector
        Map<String, Object> podLabels = map(at(deployment(), "spec", "template", "metadata", "labels"));
        for (Map<String, Object> service : ofKind("Service")) {
            if ("ExternalName".equals(map(service.get("spec")).get("type"))) {
                continue;
            }
            assertThat(podLabels).containsAllEntriesOf(map(at(service, "spec", "selector")));
            for (Object port : list(at(service, "spec", "ports"))) {
                Object target = map(port).get("targetPort");
                assertThat(ports).as("Service targetPort %s", target).containsKey((String) target);
                assertThat(map(port).get("port")).isEqualTo(ports.get(target));
            }
        }
        assertThat(podLabels).containsAllEntriesOf(map(at(deployment(), "spec", "selector", "matchLabels")));
        assertThat(podLabels).containsAllEntriesOf(map(at(ofKind("PodDisruptionBudget").get(0), "spec", "selector", "matchLabels")));
        assertThat((Integer) at(ofKind("PodDisruptionBudget").get(0), "spec", "minAvailable"))
                .isLessThan((Integer) at(deployment(), "spec", "replicas"));
        Map<String, Object> annotations = map(at(deployment(), "spec", "template", "metadata", "annotations"));
        assertThat(annotations.get("prometheus.io/port")).isEqualTo(String.valueOf(ports.get("management")));
    }

    @Test
    void probePathsAreServedOnTheManagementPort() {
        List<String[]> probes = new ArrayList<>();
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            Map<String, Object> get = map(at(container(), probe, "httpGet"));
            assertThat(get.get("port")).as(probe).isEqualTo("management");
            probes.add(new String[] {probe, (String) get.get("path")});
        }
        assertThat(probes).extracting(p -> p[1]).contains("/observe/health/ready", "/observe/health/live");
        String metricsPath = (String) map(at(deployment(), "spec", "template", "metadata", "annotations")).get("prometheus.io/path");
        probes.add(new String[] {"metrics", metricsPath});
        try (RunningPaybridge app = RunningPaybridge.start()) {
            for (String[] probe : probes) {
                RunningPaybridge.Response answer = app.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + app.managementPort + probe[1])).GET());
                assertThat(answer.status()).as("%s %s: %s", probe[0], probe[1], answer.body()).isEqualTo(200);
            }
        }
    }

    @Test
    void everyEnvironmentVariableIsOnePaybridgeReads() throws IOException {
        Set<String> known = knownVariables();
        List<String> named = new ArrayList<>();
        for (Object e : list(container().get("env"))) {
            named.add((String) map(e).get("name"));
        }
        named.addAll(map(at(ofKind("Secret").get(0), "stringData")).keySet());
        // the commented-out tracing example too
        Matcher commented = Pattern.compile("#\\s*- name: ([A-Z0-9_]+)").matcher(manifestText("deployment.yaml"));
        while (commented.find()) {
            named.add(commented.group(1));
        }
        assertThat(named).contains("PAYBRIDGE_DB_URL", "PAYBRIDGE_API_KEY", "PAYBRIDGE_TRACING_OTLP_ENDPOINT",
                "PAYBRIDGE_MANAGEMENT_TOKEN");
        for (String variable : named) {
            assertThat(known.contains(variable) || isCamelKeyInProperties(variable))
                    .as("%s is read by paybridge (application.properties, log4j2.xml or the code)", variable).isTrue();
        }
        // envFrom names the Secret the manifests define
        String secretName = (String) at(ofKind("Secret").get(0), "metadata", "name");
        assertThat(list(container().get("envFrom"))).anySatisfy(f -> assertThat(at(f, "secretRef", "name")).isEqualTo(secretName));
        // the profile is prod: the sandbox is never served in a cluster
        assertThat(list(container().get("env"))).anySatisfy(e -> assertThat(map(e))
                .containsEntry("name", "CAMEL_MAIN_PROFILE").containsEntry("value", "prod"));
    }

    @Test
    void theDatabaseIsTheExternalService() {
        Map<String, Object> postgres = ofKind("Service").stream()
                .filter(s -> "ExternalName".equals(map(s.get("spec")).get("type"))).findFirst().orElseThrow();
        String url = list(container().get("env")).stream().map(KubernetesManifestsTest::map)
                .filter(e -> "PAYBRIDGE_DB_URL".equals(e.get("name"))).map(e -> (String) e.get("value")).findFirst().orElseThrow();
        Matcher m = Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)/\\w+").matcher(url);
        assertThat(m.matches()).as(url).isTrue();
        assertThat(m.group(1)).isEqualTo(at(postgres, "metadata", "name"));
        assertThat(list(at(postgres, "spec", "ports"))).anySatisfy(p -> assertThat(map(p).get("port"))
                .isEqualTo(Integer.parseInt(m.group(2))));
    }

    @Test
    void mountsPutTheConfigMapsWhereTheImageReadsThemAndTheReadmeCreatesThem() throws IOException {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        Matcher home = Pattern.compile("PAYBRIDGE_HOME=(\\S+)").matcher(dockerfile);
        assertThat(home.find()).isTrue();
        Matcher user = Pattern.compile("(?m)^USER (\\d+)").matcher(dockerfile);
        assertThat(user.find()).isTrue();
        assertThat(at(deployment(), "spec", "template", "spec", "securityContext", "runAsUser"))
                .isEqualTo(Integer.parseInt(user.group(1)));

        Map<String, String> volumeToConfigMap = new HashMap<>();
        for (Object v : list(at(deployment(), "spec", "template", "spec", "volumes"))) {
            volumeToConfigMap.put((String) map(v).get("name"), (String) at(v, "configMap", "name"));
        }
        Map<String, String> mountedAt = new HashMap<>();
        for (Object m : list(container().get("volumeMounts"))) {
            mountedAt.put(volumeToConfigMap.get((String) map(m).get("name")), (String) map(m).get("mountPath"));
        }
        assertThat(mountedAt).containsEntry("paybridge-config", home.group(1) + "/application.properties")
                .containsEntry("paybridge-routes", home.group(1) + "/routes");
        // the README and the Deployment's header create exactly these ConfigMaps, from these files
        String readme = Files.readString(Path.of("README.md"));
        for (String text : List.of(readme, manifestText("deployment.yaml"))) {
            assertThat(text).contains("kubectl create configmap paybridge-config --from-file=application.properties")
                    .contains("kubectl create configmap paybridge-routes --from-file=routes/");
        }
        assertThat(Path.of("application.properties")).exists();
        assertThat(Path.of("routes")).isDirectoryContaining(p -> p.toString().endsWith(".camel.yaml"));
    }

    @Test
    void resourcesAndShutdownFitPaybridge() {
        Map<String, Object> resources = map(container().get("resources"));
        long requested = mebibytes((String) at(resources, "requests", "memory"));
        long limit = mebibytes((String) at(resources, "limits", "memory"));
        assertThat(requested).isGreaterThanOrEqualTo(MEASURED_RSS_MIB);
        assertThat(limit).isGreaterThan(requested);
        // the grace period outlasts camel.main.shutdown-timeout (in-flight charges finish)
        assertThat((Integer) at(deployment(), "spec", "template", "spec", "terminationGracePeriodSeconds"))
                .isGreaterThan(Integer.parseInt(defaultOf("camel.main.shutdown-timeout")));
    }

    private static long mebibytes(String quantity) {
        if (quantity.endsWith("Gi")) {
            return Long.parseLong(quantity.substring(0, quantity.length() - 2)) * 1024;
        }
        assertThat(quantity).endsWith("Mi");
        return Long.parseLong(quantity.substring(0, quantity.length() - 2));
    }

    private static String manifestText(String file) {
        try {
            return Files.readString(MANIFESTS.resolve(file));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
