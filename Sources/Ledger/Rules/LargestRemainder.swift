/// The largest-remainder rule (ACCOUNTING.md §2 and §5), exact in 128-bit intermediates.
///
/// An amount A is shared over weights w1..wn with W = Σ wi: fi = floor(|A|·wi / W); the R = |A| − Σ fi
/// entries with the largest remainders (|A|·wi mod W) get +1 each, ties to the earlier entry; a negative
/// amount is shared as |A| and every share negated.
public enum LargestRemainder {
    /// Shares `amount` over `weights` (Σ weights > 0) and returns the shares, in the weights' order.
    public static func allocate(_ amount: Int64, weights: [UInt64]) -> [Int64]? {
        var out = [Int64](repeating: 0, count: weights.count)
        var scratch: [UInt64] = []
        guard allocate(amount, weights: weights, into: &out, scratch: &scratch) else { return nil }
        return out
    }

    /// Shares `amount` over `weights` into `out` (resized), using `scratch` for remainders so a caller can
    /// reuse both buffers. Returns false when the weights sum to 0 or overflow.
    @discardableResult
    public static func allocate(_ amount: Int64, weights: [UInt64], into out: inout [Int64], scratch: inout [UInt64]) -> Bool {
        var total: UInt64 = 0
        for w in weights {
            let (s, o) = total.addingReportingOverflow(w)
            guard !o else { return false }
            total = s
        }
        guard total > 0 else { return false }
        let magnitude = amount.magnitude
        let negative = amount < 0
        out.removeAll(keepingCapacity: true)
        scratch.removeAll(keepingCapacity: true)
        var floors: UInt64 = 0
        for w in weights {
            // q ≤ |A| because w ≤ W, so the quotient always fits.
            let (q, r) = WideArithmetic.multiplyDivide(magnitude, w, total)!
            floors += q
            out.append(Int64(bitPattern: q))
            scratch.append(r)
        }
        var extra = magnitude - floors
        // R < n: hand out one unit at a time to the largest remainder, earliest first. The callers with many
        // entries (summaries) use SummaryAllocation, which selects in linear time instead.
        if extra > 0 {
            var order = Array(scratch.indices)
            order.sort { scratch[$0] != scratch[$1] ? scratch[$0] > scratch[$1] : $0 < $1 }
            for i in order where extra > 0 {
                out[i] = Int64(bitPattern: UInt64(bitPattern: out[i]) + 1)
                extra -= 1
            }
        }
        if negative {
            for i in out.indices { out[i] = Int64(bitPattern: 0 &- UInt64(bitPattern: out[i])) }
        }
        return true
    }

    /// Shares `amount` over `weights` whose sum is `total` (> 0; the caller guarantees both) into
    /// `out[0..<weights.count]`, with `scratch` for the remainders (both at least that long): the ledger's split of
    /// each usage line over a track's payees, which must not allocate. The same rule as `allocate`, but the R < n
    /// extra units are handed out one at a time (O(R·n)), so for few entries only.
    @inline(__always)
    public static func allocateFew(_ amount: Int64, weights: ArraySlice<UInt64>, total: UInt64,
                                   into out: inout [Int64], scratch: inout [UInt64])
    {
        let count = weights.count
        if count == 1 {
            out[0] = amount
            return
        }
        let magnitude = amount.magnitude
        var floors: UInt64 = 0
        var j = 0
        for w in weights {
            // q ≤ |A| because w ≤ total, so the quotient always fits.
            let (q, r) = WideArithmetic.multiplyDivide(magnitude, w, total)!
            out[j] = Int64(bitPattern: q)
            scratch[j] = r
            floors += q
            j += 1
        }
        var extra = magnitude - floors  // < count
        while extra > 0 {
            // The largest remainder left, the earlier entry on ties; each taken once.
            var best = -1
            for j in 0..<count where scratch[j] != UInt64.max {
                if best < 0 || scratch[j] > scratch[best] { best = j }
            }
            out[best] = Int64(bitPattern: UInt64(bitPattern: out[best]) + 1)
            scratch[best] = UInt64.max
            extra -= 1
        }
        if amount < 0 {
            for j in 0..<count { out[j] = Int64(bitPattern: 0 &- UInt64(bitPattern: out[j])) }
        }
    }
}

/// The allocation of one summary's amount over its lines, prepared from the lines' usage counts and then
/// applied line by line in the same order.
///
/// Memory: preparing needs the usage counts of this one summary (8 bytes per line, in a buffer the caller
/// reuses); applying needs nothing per line. The +1 units go to the lines whose remainder is above a
/// threshold, plus the first lines whose remainder equals it, which gives exactly "the R largest
/// remainders, ties to the earlier line" without sorting.
public struct SummaryAllocation: Sendable {
    public let magnitude: UInt64
    public let negative: Bool
    /// U = Σ ui (> 0).
    public let totalUsages: UInt64
    /// R = |A| − Σ fi: how many lines get one more micro-unit.
    public let extraUnits: UInt64
    private let threshold: UInt64
    private var tiesLeft: UInt64

    /// Prepares the allocation of `amount` over `usages` (consumed as scratch space). Nil when U = 0;
    /// throws nothing but returns nil also when U overflows 64 bits (`overflow` is then set).
    public static func prepare(amount: Int64, usages: inout [UInt64], overflow: inout Bool) -> SummaryAllocation? {
        overflow = false
        var total: UInt64 = 0
        for u in usages {
            let (s, o) = total.addingReportingOverflow(u)
            if o { overflow = true; return nil }
            total = s
        }
        guard total > 0 else { return nil }
        let magnitude = amount.magnitude
        var floors: UInt64 = 0
        for i in usages.indices {
            let (q, r) = WideArithmetic.multiplyDivide(magnitude, usages[i], total)!
            floors += q
            usages[i] = r
        }
        let extra = magnitude - floors
        var threshold = UInt64.max
        var ties: UInt64 = 0
        if extra > 0 {
            // The R-th largest remainder: R ≤ n − 1 because every remainder is < U.
            let k = usages.count - Int(extra)
            threshold = Selection.kthSmallest(&usages, k)
            var above: UInt64 = 0
            for r in usages where r > threshold { above += 1 }
            ties = extra - above
        }
        return SummaryAllocation(magnitude: magnitude, negative: amount < 0, totalUsages: total, extraUnits: extra,
                                 threshold: threshold, tiesLeft: ties)
    }

    private init(magnitude: UInt64, negative: Bool, totalUsages: UInt64, extraUnits: UInt64, threshold: UInt64, tiesLeft: UInt64) {
        self.magnitude = magnitude
        self.negative = negative
        self.totalUsages = totalUsages
        self.extraUnits = extraUnits
        self.threshold = threshold
        self.tiesLeft = tiesLeft
    }

    /// The next line's share; call once per line with its usage count, in the order used to prepare.
    @inline(__always)
    public mutating func share(usages u: UInt64) -> Int64 {
        let (q, r) = WideArithmetic.multiplyDivide(magnitude, min(u, totalUsages), totalUsages)!
        var share = q
        if r > threshold {
            share += 1
        } else if r == threshold, tiesLeft > 0 {
            share += 1
            tiesLeft -= 1
        }
        // share ≤ |A| ≤ 2^63, so the negation is representable.
        return negative ? Int64(bitPattern: 0 &- share) : Int64(bitPattern: share)
    }
}

/// Linear-time selection (introselect: quickselect with a heapsort-free fallback to sorting).
enum Selection {
    /// The value that would be at index `k` (0-based) if `values` were sorted ascending. Reorders `values`.
    static func kthSmallest(_ values: inout [UInt64], _ k: Int) -> UInt64 {
        precondition(k >= 0 && k < values.count)
        var lo = 0
        var hi = values.count - 1
        var budget = 2 * (Int.bitWidth - values.count.leadingZeroBitCount) + 8
        while lo < hi {
            if budget == 0 {
                // Adversarial input: finish by sorting what is left (n log n, never quadratic).
                values[lo...hi].sort()
                return values[k]
            }
            budget -= 1
            let mid = lo + (hi - lo) / 2
            // Median of three as pivot.
            if values[mid] < values[lo] { values.swapAt(mid, lo) }
            if values[hi] < values[lo] { values.swapAt(hi, lo) }
            if values[hi] < values[mid] { values.swapAt(hi, mid) }
            let pivot = values[mid]
            // Three-way partition so runs of equal remainders (common) do not degrade it.
            var lt = lo, i = lo, gt = hi
            while i <= gt {
                let v = values[i]
                if v < pivot {
                    values.swapAt(lt, i); lt += 1; i += 1
                } else if v > pivot {
                    values.swapAt(i, gt); gt -= 1
                } else {
                    i += 1
                }
            }
            if k < lt { hi = lt - 1 } else if k > gt { lo = gt + 1 } else { return pivot }
        }
        return values[k]
    }
}
