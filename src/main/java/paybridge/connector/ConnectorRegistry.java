package paybridge.connector;

import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.spi.PackageScanClassResolver;
import paybridge.Settings;
import paybridge.canonical.UnsupportedVendorException;
import paybridge.connector.http.VendorCallTemplates;

/**
 * The enabled connectors ({@code paybridge.vendors}), found by id. Everything outside a connector's
 * package asks here; nothing else names a vendor. Fails closed: a vendor that is not enabled is an
 * error wherever it appears, never another connector's behaviour, and a {@code paybridge.vendors}
 * entry with no connector behind it stops start-up.
 * <p>
 * Connectors are found in {@code paybridge.connector} and its sub-packages: every concrete public
 * class implementing {@link Connector} with a public constructor taking {@link Settings}. Only
 * the enabled ones are kept.
 */
public final class ConnectorRegistry {
    public static final String BEAN = "connectorRegistry";
    static final String PACKAGE = "paybridge.connector";

    private final Map<String, Connector> enabled;

    public ConnectorRegistry(List<Connector> connectors) {
        Map<String, Connector> byId = new LinkedHashMap<>();
        for (Connector c : connectors) {
            if (byId.putIfAbsent(c.id(), c) != null) {
                throw new IllegalStateException("Two connectors claim the vendor id '" + c.id() + "'");
            }
        }
        this.enabled = Map.copyOf(byId);
        this.order = List.copyOf(byId.keySet());
    }

    private final List<String> order;

    /** The connectors {@code paybridge.vendors} enables, each constructed with the settings. */
    public static ConnectorRegistry discover(CamelContext context, Settings settings) {
        List<String> wanted = Arrays.stream(settings.get("paybridge.vendors", "").split(","))
                .map(String::trim).filter(v -> !v.isEmpty()).distinct().toList();
        Map<String, Class<? extends Connector>> available = available(context);
        List<String> unknown = wanted.stream().filter(v -> !available.containsKey(v)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalStateException("paybridge.vendors names " + unknown + " but no connector serves "
                    + (unknown.size() == 1 ? "it" : "them") + "; connectors here: " + available.keySet());
        }
        List<Connector> connectors = new ArrayList<>();
        for (String id : wanted) {
            connectors.add(instantiate(available.get(id), settings));
        }
        return new ConnectorRegistry(connectors);
    }

    /** Every connector class on the classpath, by the id its {@code ID} constant declares. */
    @SuppressWarnings("unchecked")
    static Map<String, Class<? extends Connector>> available(CamelContext context) {
        PackageScanClassResolver resolver = context.getCamelContextExtension()
                .getContextPlugin(PackageScanClassResolver.class);
        Set<Class<?>> found = resolver.findImplementations(Connector.class, PACKAGE);
        Map<String, Class<? extends Connector>> byId = new TreeMap<>();
        for (Class<?> type : found) {
            if (type.isInterface() || Modifier.isAbstract(type.getModifiers()) || !Modifier.isPublic(type.getModifiers())) {
                continue;
            }
            String id = idOf(type);
            Class<?> previous = byId.put(id, (Class<? extends Connector>) type);
            if (previous != null && previous != type) {
                throw new IllegalStateException("Two connectors claim the vendor id '" + id + "': "
                        + previous.getName() + " and " + type.getName());
            }
        }
        return byId;
    }

    /** A connector class declares its id as {@code public static final String ID}. */
    private static String idOf(Class<?> type) {
        try {
            return (String) type.getField("ID").get(null);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("Connector " + type.getName() + " must declare public static final String ID", e);
        }
    }

    private static Connector instantiate(Class<? extends Connector> type, Settings settings) {
        try {
            return type.getConstructor(Settings.class).newInstance(settings);
        } catch (java.lang.reflect.InvocationTargetException e) {
            // a connector refusing its settings: its own message says which
            throw new IllegalStateException("Connector " + type.getSimpleName() + " cannot start: "
                    + e.getCause().getMessage(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Connector " + type.getName() + " needs a public constructor taking Settings", e);
        }
    }

    /**
     * Adds the enabled connectors' routes, and the vendor-call templates they are made from: every
     * builder's routes and templates first, then the routes made from templates (as camel-main
     * does; {@code addRoutes} alone creates no templated route).
     */
    public void addRoutes(CamelContext context) throws Exception {
        List<RoutesBuilder> builders = new ArrayList<>();
        builders.add(new VendorCallTemplates());
        for (String id : order) {
            builders.add(enabled.get(id).routes());
        }
        for (RoutesBuilder builder : builders) {
            context.addRoutes(builder);
        }
        for (RoutesBuilder builder : builders) {
            context.addTemplatedRoutes(builder);
        }
    }

    /** The enabled connector for this vendor id, if any. */
    public Optional<Connector> find(String vendor) {
        return vendor == null ? Optional.empty() : Optional.ofNullable(enabled.get(vendor));
    }

    /** The enabled connector for this vendor id; {@link UnsupportedVendorException} (a 422 naming {@code vendor}) if none. */
    public Connector require(String vendor) {
        return find(vendor).orElseThrow(() -> new UnsupportedVendorException(
                "Vendor '" + vendor + "' is not enabled here; enabled vendors: " + String.join(", ", order)));
    }

    /** The enabled connectors, in {@code paybridge.vendors} order. */
    public List<Connector> enabled() {
        return order.stream().map(enabled::get).toList();
    }

    public List<String> ids() {
        return order;
    }
}
