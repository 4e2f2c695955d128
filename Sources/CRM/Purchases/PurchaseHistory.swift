/// The BG/NBD sufficient statistics of one customer, in the model's time unit (weeks for CDNOW).
///
/// - `x`: repeat purchase days (distinct purchase days − 1; the first purchase is not counted).
/// - `tx`: time from the first to the last purchase day (0 when `x == 0`).
/// - `T`: time from the first purchase day to the end of the observation period.
public struct PurchaseHistory: Hashable, Sendable {
    public var x: Int
    public var tx: Double
    public var T: Double

    public init(x: Int, tx: Double, T: Double) {
        self.x = x
        self.tx = tx
        self.T = T
    }

    /// Why this history cannot be used by the model, or nil when it can.
    public var defect: String? {
        if x < 0 { return "x = \(x) is negative" }
        if !tx.isFinite || !T.isFinite { return "t_x or T is not finite" }
        if tx < 0 { return "t_x = \(tx) is negative" }
        if T < tx { return "T = \(T) is before t_x = \(tx)" }
        if x == 0 && tx != 0 { return "t_x = \(tx) must be 0 when x = 0" }
        if x > 0 && tx <= 0 { return "t_x must be positive when x = \(x) > 0" }
        return nil
    }
}
