package paybridge.sandbox.iamport;

/** A billing key: the card stored under a {@code customer_uid} by a successful onetime charge. */
record IamportCustomer(String customerUid, IamportCard card, long insertedAt) {
}
