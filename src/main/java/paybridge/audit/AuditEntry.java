package paybridge.audit;

import java.time.Instant;

/**
 * One row of the audit trail (CONTRACT §2 {@code GET /api/audit}): who ({@code actor}: the API key's
 * name, {@code default} for PAYBRIDGE_API_KEY, {@code anonymous} while the API is open) did what
 * ({@code action}, e.g. {@code payment.resolve}) to which object ({@code target}, its id), why
 * ({@code reason}: the request's {@code X-Reason} header, or null), at the database's time.
 */
public record AuditEntry(long auditId, Instant at, String actor, String action, String target, String reason) {
}
