/// The four BG/NBD parameters: purchase rates λ ~ Gamma(r, α) while alive, dropout probability after
/// each purchase p ~ Beta(a, b). α is in the model's time unit.
public struct BGNBDParameters: Hashable, Sendable, CustomStringConvertible {
    public var r: Double
    public var alpha: Double
    public var a: Double
    public var b: Double

    public init(r: Double, alpha: Double, a: Double, b: Double) {
        self.r = r
        self.alpha = alpha
        self.a = a
        self.b = b
    }

    public var isValid: Bool {
        [r, alpha, a, b].allSatisfy { $0.isFinite && $0 > 0 }
    }

    public var description: String { "r=\(r) alpha=\(alpha) a=\(a) b=\(b)" }
}
