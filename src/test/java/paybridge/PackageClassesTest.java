package paybridge;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.Component;
import org.apache.camel.component.http.HttpComponent;
import org.junit.jupiter.api.Test;
import paybridge.connector.Connector;
import paybridge.sandbox.VendorSimulator;

/**
 * What start-up lists instead of Camel's package scan: the implementations under a package, from a
 * directory (the build's and the tests' classes) and from a jar (its central directory).
 */
class PackageClassesTest {
    private final ClassLoader loader = PackageClassesTest.class.getClassLoader();

    @Test
    void findsTheImplementationsInAJar() {
        // camel-http is a jar on the test classpath
        assertThat(PackageClasses.implementing(Component.class, "org.apache.camel.component.http", loader))
                .contains(HttpComponent.class);
    }

    @Test
    void findsTheImplementationsInEveryDirectoryOfThePackageAndItsSubPackages() throws Exception {
        assertThat(PackageClasses.implementing(Connector.class, "paybridge.connector", loader)).contains(
                Class.forName("paybridge.connector.iamport.IamportConnector"),
                Class.forName("paybridge.connector.steppay.SteppayConnector"),
                Class.forName("paybridge.connector.toss.TossConnector"),
                // the tests' own connector, in target/test-classes
                Class.forName("paybridge.connector.fake.FakeConnector"));
        assertThat(PackageClasses.implementing(VendorSimulator.class, "paybridge.sandbox", loader))
                .hasSizeGreaterThanOrEqualTo(3).allMatch(VendorSimulator.class::isAssignableFrom);
    }

    @Test
    void aPackageNoRootHasIsEmpty() {
        assertThat(PackageClasses.implementing(Connector.class, "paybridge.nothing.here", loader)).isEmpty();
    }
}
