package paybridge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Every routes/*.camel.yaml is valid against the YAML DSL's own JSON Schema (shipped inside
 * camel-yaml-dsl) and loads into a CamelContext, so a broken edit fails the build naming the file
 * and the place (schema path, or Camel's line and column) instead of failing at start-up.
 */
class RouteFilesTest extends CamelTestSupport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static JsonSchema dslSchema;

    @Override
    public boolean isUseAdviceWith() {
        return true; // load the definitions, never start them: beans and properties live in the app
    }

    static Stream<Path> routeFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            List<Path> list = files.filter(p -> p.toString().endsWith(".camel.yaml")).sorted().toList();
            assertThat(list).isNotEmpty();
            return list.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routeFiles")
    void matchesTheYamlDslSchema(Path file) throws IOException {
        Object yaml = new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromString(Files.readString(file));
        JsonNode tree = JSON.valueToTree(yaml);
        // a property placeholder ({{key}}) stands for a boolean or number the schema expects: Camel
        // resolves it before use, so it is not an error
        List<ValidationMessage> errors = schema().validate(tree).stream()
                .filter(m -> !(m.getInstanceNode() != null && m.getInstanceNode().isTextual()
                        && m.getInstanceNode().asText().matches("\\{\\{[^}]+}}")))
                .toList();
        assertThat(errors).as("%s does not match the Camel YAML DSL schema at", file).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routeFiles")
    void loadsIntoACamelContext(Path file) throws Exception {
        Resource resource = ResourceHelper.resolveMandatoryResource(context, "file:" + file);
        PluginHelper.getRoutesLoader(context).loadRoutes(resource);
        assertThat(context.getRouteDefinitions().size() + context.getRestDefinitions().size()
                + context.getCamelContextExtension().getContextPlugin(org.apache.camel.model.Model.class)
                        .getRouteConfigurationDefinitions().size())
                .as("%s defines something", file).isPositive();
    }

    private static JsonSchema schema() throws IOException {
        if (dslSchema == null) {
            try (InputStream in = org.apache.camel.dsl.yaml.YamlRoutesBuilderLoader.class.getResourceAsStream(
                    "/schema/camelYamlDsl.json")) {
                dslSchema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(in);
            }
        }
        return dslSchema;
    }
}
