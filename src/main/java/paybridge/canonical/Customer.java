package paybridge.canonical;

/** The paying customer, as the caller knows them. {@code id} is required; the rest goes to the vendor as given. */
public record Customer(String id, String name, String phone, String email) {
}
