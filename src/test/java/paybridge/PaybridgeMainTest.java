package paybridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.apache.camel.CamelConfiguration;
import org.junit.jupiter.api.Test;

/**
 * paybridge names its configurations instead of having camel-main scan the jar for them: a configuration
 * added without being named in {@link PaybridgeMain#CONFIGURATIONS} would silently never run.
 */
class PaybridgeMainTest {

    @Test
    void everyConfigurationOfTheBuildIsNamed() throws Exception {
        Path classes = Path.of("target/classes");
        List<Class<?>> found;
        try (Stream<Path> files = Files.walk(classes.resolve("paybridge"))) {
            found = files.map(f -> classes.relativize(f).toString())
                    .filter(name -> name.endsWith(".class"))
                    .map(name -> name.substring(0, name.length() - ".class".length()).replace('/', '.'))
                    .map(PaybridgeMainTest::load)
                    .filter(type -> CamelConfiguration.class.isAssignableFrom(type) && !type.isInterface()
                            && !Modifier.isAbstract(type.getModifiers()))
                    .toList();
        }
        assertThat(found).isNotEmpty();
        assertThat(PaybridgeMain.CONFIGURATIONS).containsExactlyInAnyOrderElementsOf(
                found.stream().map(type -> (Class<? extends CamelConfiguration>) type.asSubclass(CamelConfiguration.class)).toList());
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, PaybridgeMainTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
