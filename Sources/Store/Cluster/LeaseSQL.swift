/// The SQL of the lease rule, the same on both engines but for their placeholders (`?` or `$1`).
public enum LeaseSQL {
    /// Takes a lease: arguments resource, holder, now, expires-at. Returns the lease's row when it was granted
    /// (new, renewed by its holder, or taken over after expiry), no row while another instance holds it.
    public static func acquire(placeholders p: [String]) -> String {
        """
        INSERT INTO leases (resource, holder, acquired_at, expires_at, generation)
        VALUES (\(p[0]), \(p[1]), \(p[2]), \(p[3]), 1)
        ON CONFLICT (resource) DO UPDATE SET
            generation  = leases.generation + CASE WHEN leases.holder = excluded.holder THEN 0 ELSE 1 END,
            acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at ELSE excluded.acquired_at END,
            holder      = excluded.holder,
            expires_at  = excluded.expires_at
        WHERE leases.holder = excluded.holder OR leases.expires_at < excluded.acquired_at
        RETURNING resource, holder, acquired_at, expires_at, generation
        """
    }
}
